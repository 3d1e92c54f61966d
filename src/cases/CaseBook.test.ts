import { describe, expect, it } from 'vitest';
import { WorldState } from '../engine/WorldState.js';
import { CaseBook, CaseError } from './CaseBook.js';
import { computeRestitution } from './computeRestitution.js';
import { estimateVictimLoss } from './estimateVictimLoss.js';

const AT = '2025-04-14T03:00:00.000Z';

function heldWorld(...accounts: string[]): WorldState {
  const w = new WorldState();
  for (const a of accounts) w.holds.set(a, { since_t: 0, event_id: 'e1', decision: 'hold', reason: 'LIQUIDATION' });
  return w;
}

describe('CaseBook', () => {
  it('walks a case open → investigating → confirmed → closed and logs every step in order', () => {
    const book = new CaseBook();
    const c = book.open({ campaign_id: 'cmp_1' }, AT, 'system', ['V1', 'V2'], ['al_1']);
    book.transition(c.case_id, 'investigating', AT, 'analyst-a');
    book.transition(c.case_id, 'confirmed', AT, 'analyst-a', 'relayed SMS phish');
    book.transition(c.case_id, 'closed', AT, 'lead');
    expect(book.get(c.case_id).status).toBe('closed');
    const log = book.get(c.case_id).log;
    expect(log.map((e) => [e.seq, e.action])).toEqual([
      [1, 'opened'],
      [2, 'status'],
      [3, 'status'],
      [4, 'status'],
    ]);
    expect(log[2].detail).toBe('investigating → confirmed: relayed SMS phish');
  });

  it.each([
    ['open', 'confirmed'],
    ['open', 'closed'],
    ['investigating', 'closed'],
  ] as const)('refuses %s → %s and says what is allowed', (from, to) => {
    const book = new CaseBook();
    const c = book.open({ account_id: 'V1' }, AT, 'system', ['V1']);
    if (from === 'investigating') book.transition(c.case_id, 'investigating', AT, 'a');
    expect(() => book.transition(c.case_id, to, AT, 'a')).toThrow(CaseError);
    expect(() => book.transition(c.case_id, to, AT, 'a')).toThrow(/it can move to/);
  });

  it('keeps the audit log append-only', () => {
    const book = new CaseBook();
    const c = book.open({ account_id: 'V1' }, AT, 'system', ['V1']);
    book.note(c.case_id, 'called the customer', AT, 'a');
    const log = book.get(c.case_id).log;
    expect(() => ((log[0] as { detail: string }).detail = 'rewritten')).toThrow(TypeError);
    expect(() => (log as unknown[]).splice(0, 1)).toThrow(TypeError);
    expect(book.get(c.case_id).log.map((e) => e.detail)).toEqual(['account:V1', 'called the customer']);
  });

  it('releases a hold for a false positive, and refuses to on a confirmed takeover', () => {
    const book = new CaseBook();
    const world = heldWorld('L1', 'V1');
    const fp = book.open({ account_id: 'L1' }, AT, 'system', ['L1']);
    book.transition(fp.case_id, 'investigating', AT, 'a');
    book.transition(fp.case_id, 'false_positive', AT, 'a', 'customer on holiday');
    expect(book.releaseHold(fp.case_id, 'L1', world, AT, 'a')).toBe(true);
    expect(world.holds.has('L1')).toBe(false);

    const tp = book.open({ account_id: 'V1' }, AT, 'system', ['V1']);
    book.transition(tp.case_id, 'investigating', AT, 'a');
    book.transition(tp.case_id, 'confirmed', AT, 'a');
    expect(() => book.releaseHold(tp.case_id, 'V1', world, AT, 'a')).toThrow(/holds are released only while investigating/);
    expect(world.holds.has('V1')).toBe(true);
  });

  it('records a victim loss with the 50 % compensation figure and drafts the notice', () => {
    const book = new CaseBook();
    const c = book.open({ campaign_id: 'cmp_9' }, AT, 'system', ['V1']);
    book.transition(c.case_id, 'investigating', AT, 'a');
    book.transition(c.case_id, 'confirmed', AT, 'a');
    const loss = estimateVictimLoss(
      [
        { symbol: '7203.T', side: 'sell', qty: 600, price: 3000 },
        { symbol: '7992.T', side: 'buy', qty: 10_000, price: 140 },
        { symbol: '7992.T', side: 'buy', qty: 5_000, price: 120 },
      ],
      { '7992.T': 112 },
    );
    expect(loss).toBe(10_000 * 28 + 5_000 * 8);
    const r = book.recordLoss(c.case_id, 'V1', loss, 3_300, AT, 'a');
    expect(r.compensation_jpy).toBe(loss / 2 + 3_300);
    expect(r.residual_jpy).toBe(loss / 2);
    const n = book.notify(c.case_id, 'V1', 'COMPENSATION_OFFER', '補償のご案内', AT, 'a');
    expect(n).toMatchObject({ account_id: 'V1', template: 'COMPENSATION_OFFER', data: { case_id: c.case_id } });
    expect(book.get(c.case_id).log.map((e) => e.action).slice(-2)).toEqual(['loss_recorded', 'notified']);
    expect(book.get(c.case_id).restitution.V1.compensation_jpy).toBe(r.compensation_jpy);
  });

  it('gives one open case per subject and adds new alerts to it', () => {
    const book = new CaseBook();
    const a = book.open({ campaign_id: 'cmp_1' }, AT, 'system', ['V1'], ['al_1']);
    const b = book.open({ campaign_id: 'cmp_1' }, AT, 'system', ['V2'], ['al_1', 'al_2']);
    expect(b.case_id).toBe(a.case_id);
    expect(b.accounts).toEqual(['V1', 'V2']);
    expect(b.alert_ids).toEqual(['al_1', 'al_2']);
    expect(b.log.slice(1).map((e) => [e.action, e.detail])).toEqual([
      ['account_added', 'V2'],
      ['alert_added', 'al_2'],
    ]);
  });

  it('assigns a case and logs who had it before', () => {
    const book = new CaseBook();
    const c = book.open({ account_id: 'V1' }, AT, 'system', ['V1']);
    book.assign(c.case_id, 'analyst-a', AT, 'lead');
    expect(book.assign(c.case_id, 'analyst-b', AT, 'lead').assignee).toBe('analyst-b');
    expect(book.get(c.case_id).log.slice(1).map((e) => [e.action, e.detail])).toEqual([
      ['assigned', 'analyst-a'],
      ['assigned', 'analyst-a → analyst-b'],
    ]);
  });

  it('continues cases recorded earlier: same status rules, log numbering and one open case per subject', () => {
    const first = new CaseBook();
    const c = first.open({ campaign_id: 'cmp_1' }, AT, 'system', ['V1']);
    first.transition(c.case_id, 'investigating', AT, 'a');
    const book = new CaseBook({ cases: [first.get(c.case_id)], nextId: () => 'case_77' });
    expect(() => book.transition(c.case_id, 'closed', AT, 'a')).toThrow(/investigating; it can move to confirmed or false_positive/);
    book.note(c.case_id, 'called V1', AT, 'a');
    expect(book.get(c.case_id).log.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(book.open({ campaign_id: 'cmp_1' }, AT, 'system', ['V2']).case_id).toBe(c.case_id);
    expect(book.open({ account_id: 'V9' }, AT, 'system').case_id).toBe('case_77');
    expect(first.get(c.case_id).log).toHaveLength(2);
  });

  describe('malformed requests', () => {
    it('names an unknown case', () => {
      expect(() => new CaseBook().get('case_404')).toThrow(/no case case_404/);
    });
    it('refuses a negative loss and a share outside 0..1', () => {
      expect(() => computeRestitution(-1)).toThrow(/loss must be a finite amount/);
      expect(() => computeRestitution(100, 0, { lossShare: 1.5 })).toThrow(/lossShare must be within 0..1/);
    });
    it('needs a mark price for every bought symbol', () => {
      expect(() => estimateVictimLoss([{ symbol: '0700.HK', side: 'buy', qty: 1, price: 1 }], {})).toThrow(/no mark price for 0700.HK/);
    });
  });
});

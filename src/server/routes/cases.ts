import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { CASE_STATUSES, CaseBook, CaseError, type Case } from '../../cases/CaseBook.js';
import type { ServiceStore } from '../../store/types.js';
import type { DecisionService } from '../DecisionService.js';
import { parseBody, parseQuery } from '../parseQuery.js';
import { ServiceError } from '../ServiceError.js';
import { storeQuery } from '../storeQuery.js';

export interface CaseRoutesOptions {
  store: ServiceStore;
  service: DecisionService;
  /** Reviewer time stamped on case actions. Default: the system clock. */
  now?: () => Date;
}

const id = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** Who acts: the console sends the name its user typed (the bearer token is shared by the desk). */
const actor = z.string().trim().min(1, 'must name who acts').max(100, 'must be at most 100 characters');
const yen = z.number('must be a number of yen').finite('must be finite').min(0, 'must be at least 0').max(1e15, 'must be at most 1e15');

const openSchema = z
  .strictObject({
    campaign_id: id.optional(),
    account_id: id.optional(),
    alert_ids: z.array(id).max(1000, 'must list at most 1000 alerts').optional(),
    accounts: z.array(id).max(1000, 'must list at most 1000 accounts').optional(),
    actor,
  })
  .refine((b) => (b.campaign_id === undefined) !== (b.account_id === undefined), {
    message: 'give exactly one of campaign_id or account_id: the subject of the case',
    path: ['campaign_id'],
  });
const assignSchema = z.strictObject({ assignee: actor, actor });
const transitionSchema = z.strictObject({ to: z.enum(CASE_STATUSES), note: z.string().max(2000, 'must be at most 2000 characters').optional(), actor });
const noteSchema = z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'), actor });
const lossSchema = z.strictObject({ account_id: id, loss_jpy: yen, fees_jpy: yen.optional(), actor });
const listSchema = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
  cursor: z.string().min(1).max(1024, 'must be at most 1024 characters').optional(),
});

/**
 * Investigation cases over HTTP, worked through the domain's `CaseBook` (guarded status machine,
 * append-only audit log, restitution) and persisted in the `ServiceStore`: each action reads the
 * case, applies the action, and writes it back only if nobody changed it meanwhile (409 otherwise).
 */
export async function caseRoutes(app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  const { store } = opts;
  const now = (): string => (opts.now ?? (() => new Date()))().toISOString();
  // One action at a time in this process; other processes sharing the store are caught by saveCase.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  app.get('/v1/cases', async (req) => {
    const q = parseQuery(listSchema, req.query);
    return await storeQuery(() => store.listCases(q));
  });

  app.get('/v1/cases/:id', async (req) => {
    const { id: caseId } = req.params as { id: string };
    const c = await store.getCase(caseId);
    if (!c) throw new ServiceError('NOT_FOUND', `no case ${caseId.slice(0, 220)}; list the cases with GET /v1/cases`);
    return c;
  });

  app.post('/v1/cases', async (req, reply) => {
    const b = parseBody(openSchema, req.body);
    return serial(async () => {
      const subject: Case['subject'] = b.campaign_id !== undefined ? { campaign_id: b.campaign_id } : { account_id: b.account_id! };
      let accounts = b.accounts;
      if (!accounts) {
        if ('account_id' in subject) accounts = [subject.account_id];
        else {
          // The victims of a campaign are its hijacked accounts; the reviewer can add others.
          const summary = opts.service.campaigns?.summarize(subject.campaign_id);
          if (!summary) throw new ServiceError('NOT_FOUND', `no campaign ${subject.campaign_id}; open the case on an account, or list the accounts`, { field: 'campaign_id' });
          accounts = summary.hijacked_accounts;
        }
      }
      let alertIds = b.alert_ids;
      if (!alertIds && 'campaign_id' in subject) {
        alertIds = (await store.listAlerts({ campaign_id: subject.campaign_id, limit: 1000, order: 'asc' })).alerts.map((a) => a.alert_id);
      }
      const existing = await store.findOpenCase(subject);
      const newId = existing ? undefined : await store.newCaseId();
      const book = new CaseBook({ cases: existing ? [existing] : [], nextId: () => newId! });
      const c = book.open(subject, now(), b.actor, accounts, alertIds ?? []);
      if (!(await store.saveCase(c, existing?.log.length ?? 0))) throw conflict(c.case_id);
      return reply.code(existing ? 200 : 201).send(c);
    });
  });

  const action = <S extends z.ZodType>(path: string, schema: S, act: (book: CaseBook, caseId: string, body: z.infer<S>, at: string) => void) => {
    app.post(`/v1/cases/:id/${path}`, async (req, reply: FastifyReply) => {
      const { id: caseId } = req.params as { id: string };
      const body = parseBody(schema, req.body);
      return serial(async () => {
        const stored = await store.getCase(caseId);
        if (!stored) throw new ServiceError('NOT_FOUND', `no case ${caseId.slice(0, 220)}; list the cases with GET /v1/cases`);
        const book = new CaseBook({ cases: [stored] });
        try {
          act(book, caseId, body, now());
        } catch (err) {
          if (err instanceof CaseError) throw new ServiceError(err.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT', err.message, { field: fieldOfCaseError(err, path) });
          throw err;
        }
        const after = book.get(caseId);
        if (!(await store.saveCase(after, stored.log.length))) throw conflict(caseId);
        return reply.send(after);
      });
    });
  };

  action('assign', assignSchema, (book, caseId, b, at) => book.assign(caseId, b.assignee, at, b.actor));
  action('transition', transitionSchema, (book, caseId, b, at) => book.transition(caseId, b.to, at, b.actor, b.note ?? ''));
  action('notes', noteSchema, (book, caseId, b, at) => book.note(caseId, b.text, at, b.actor));
  action('losses', lossSchema, (book, caseId, b, at) => book.recordLoss(caseId, b.account_id, b.loss_jpy, b.fees_jpy ?? 0, at, b.actor));
}

function conflict(caseId: string): ServiceError {
  return new ServiceError('CONFLICT', `case ${caseId} was changed by someone else meanwhile; reload it and repeat the action if it still applies`);
}

/** The request field a refusal is about, so the console can mark it. */
function fieldOfCaseError(err: CaseError, path: string): string | undefined {
  if (err.code === 'BAD_TRANSITION') return 'to';
  if (/account .* is not part of case/.test(err.message)) return 'account_id';
  return path === 'transition' ? 'to' : undefined;
}

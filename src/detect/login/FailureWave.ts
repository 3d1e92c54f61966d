/**
 * Stuffing spread over many addresses (residential proxies: one attempt per IP) leaves no mark on
 * any one source; it shows as a jump of the all-network failure and unknown-login-id ratios against
 * their own quiet baseline. During such a wave, a failed attempt that is never followed by a success
 * from the same IP, device or login id (a customer who mistyped retries and gets in; a combo list
 * moves on) marks its IP as a stuffing source. The decision is taken `settleMs` after the attempt,
 * on a later event, since the engine has no timers.
 *
 * Plain data; no I/O.
 */
export interface WaveCandidate {
  id: string;
  ip: string;
  t: number;
  device: string;
  login_id_fp: string;
  unknown: boolean;
  /** Why the attempt is suspect when it matched a flagged shared source (else: the wave). */
  why?: string;
}

export interface FailureWaveOptions {
  /** Half-life of the short-term ratios, ms. Default 1 h. */
  shortHalfLifeMs?: number;
  /** Half-life of the quiet baseline, ms. Default 3 days. */
  longHalfLifeMs?: number;
  /** Time after a failure before it is judged an orphan, ms. Default 15 min. */
  settleMs?: number;
  /** Baseline needed before waves are judged, ms of event time. Default 6 h. */
  warmupMs?: number;
}

export interface WaveState {
  t: number;
  firstT: number;
  sAtt: number;
  sFail: number;
  sUnk: number;
  lAtt: number;
  lFail: number;
  lUnk: number;
  /** Epoch ms the current wave started, 0 when quiet. */
  since: number;
  why: string;
  pending: WaveCandidate[];
}

const MAX_PENDING = 200_000;

export class FailureWave {
  state: WaveState = { t: 0, firstT: 0, sAtt: 0, sFail: 0, sUnk: 0, lAtt: 0, lFail: 0, lUnk: 0, since: 0, why: '', pending: [] };
  private readonly hs: number;
  private readonly hl: number;
  readonly settleMs: number;
  private readonly warmupMs: number;

  constructor(o: FailureWaveOptions = {}) {
    this.hs = o.shortHalfLifeMs ?? 60 * 60_000;
    this.hl = o.longHalfLifeMs ?? 3 * 86_400_000;
    this.settleMs = o.settleMs ?? 15 * 60_000;
    this.warmupMs = o.warmupMs ?? 6 * 3600_000;
  }

  /** Count one login attempt; returns whether a wave is on after it. */
  record(outcome: string, t: number): boolean {
    const s = this.state;
    if (s.firstT === 0) s.firstT = t;
    this.decay(t);
    const fail = outcome === 'bad_password' || outcome === 'unknown_account';
    const unk = outcome === 'unknown_account';
    s.sAtt++;
    if (fail) s.sFail++;
    if (unk) s.sUnk++;
    const wasOn = s.since > 0;
    this.judge(t);
    // The baseline learns only quiet times, so a wave lasting days does not become normal.
    if (!wasOn && s.since === 0) {
      s.lAtt++;
      if (fail) s.lFail++;
      if (unk) s.lUnk++;
    }
    return s.since > 0;
  }

  private judge(t: number): void {
    const s = this.state;
    if (t - s.firstT < this.warmupMs || s.lAtt < 200 || s.sAtt < 10) {
      s.since = 0;
      return;
    }
    const baseFail = s.lFail / s.lAtt;
    const baseUnk = s.lUnk / s.lAtt;
    const fail = s.sFail / s.sAtt;
    const unk = s.sUnk / s.sAtt;
    // Excess failures must be several in absolute terms too; a false wave costs little, since only
    // failures never followed by a success are ever marked.
    const excess = s.sFail - baseFail * s.sAtt;
    const on = excess >= 6 && (fail >= 2 * baseFail + 0.05 || unk >= 3 * baseUnk + 0.03);
    if (on && s.since === 0) {
      s.since = t;
      s.why = `login failures ${Math.round(fail * 100)} % (usual ${Math.round(baseFail * 100)} %), unknown login ids ${Math.round(unk * 100)} % (usual ${Math.round(baseUnk * 100)} %)`;
    } else if (!on && s.since > 0) {
      s.since = 0;
    }
  }

  private decay(t: number): void {
    const s = this.state;
    const dt = t - s.t;
    if (dt <= 0) return;
    const fs = Math.pow(2, -dt / this.hs);
    const fl = Math.pow(2, -dt / this.hl);
    s.sAtt *= fs;
    s.sFail *= fs;
    s.sUnk *= fs;
    s.lAtt *= fl;
    s.lFail *= fl;
    s.lUnk *= fl;
    s.t = t;
  }

  get active(): boolean {
    return this.state.since > 0;
  }

  addCandidate(c: WaveCandidate): void {
    if (this.state.pending.length < MAX_PENDING) this.state.pending.push(c);
  }

  /**
   * Candidates older than the settle time, removed from the queue (in queue order). The queue is
   * looked through only once its head has settled: a cluster backlog appends earlier failures
   * behind later ones, and they wait at most one settle time after being queued.
   */
  takeSettled(t: number): WaveCandidate[] {
    const p = this.state.pending;
    if (p.length === 0 || t - p[0].t < this.settleMs) return [];
    const settled: WaveCandidate[] = [];
    const keep: WaveCandidate[] = [];
    for (const c of p) (t - c.t >= this.settleMs ? settled : keep).push(c);
    this.state.pending = keep;
    return settled;
  }
}

/**
 * What is decided before the days are generated: each day's scripted episodes (attacks, benign
 * lookalikes), the price/volume shocks they cause, and when a hijacked customer stops acting on
 * their own that day. Planning ahead lets each day be generated, sorted and written on its own.
 */
import type { DayCtx } from './customers.js';
import type { Shock } from './SymbolDay.js';

export type Script = (ctx: DayCtx) => void;

export class WorldPlan {
  private readonly scripts = new Map<number, Script[]>();
  private readonly shocks = new Map<number, Map<string, Shock[]>>();
  private readonly quiet = new Map<number, Map<string, number>>();
  /** Accounts already given a role (victim, lookalike), so one account plays one part. */
  readonly used = new Set<string>();

  on(day: number, script: Script): void {
    const list = this.scripts.get(day) ?? [];
    list.push(script);
    this.scripts.set(day, list);
  }

  scriptsOn(day: number): Script[] {
    return this.scripts.get(day) ?? [];
  }

  shock(day: number, symbol: string, s: Shock): void {
    const byDay = this.shocks.get(day) ?? new Map<string, Shock[]>();
    byDay.set(symbol, [...(byDay.get(symbol) ?? []), s]);
    this.shocks.set(day, byDay);
  }

  shocksOn(day: number, symbol: string): Shock[] {
    return this.shocks.get(day)?.get(symbol) ?? [];
  }

  /** The account's owner does nothing on their own from `t` on `day`. */
  quietFrom(day: number, accountId: string, t: number): void {
    const byDay = this.quiet.get(day) ?? new Map<string, number>();
    byDay.set(accountId, Math.min(t, byDay.get(accountId) ?? Infinity));
    this.quiet.set(day, byDay);
  }

  quietOn(day: number): Map<string, number> {
    return this.quiet.get(day) ?? new Map();
  }
}

/**
 * The figures a `pump_and_dump` (and `market_frenzy`) alert carries in `data`, so that other
 * detectors — coordinated trading with hijacked accounts, beneficiaries, campaigns — can read the
 * episode state of a symbol from `onAlert` without any I/O. The pump detector raises, per episode:
 *
 * - `pump_and_dump` (phase `onset`, or `confirmed` when a frenzy that did not look manipulated at
 *   first later showed the signature or faded like a dump) — exactly one per episode;
 * - `market_frenzy` (phase `onset`) when volume and price explode but the tape looks like a
 *   legitimate, news-driven move (gap, two-sided flow). A later stage that sees hijacked accounts
 *   buying the symbol may still call it a pump; the tape alone does not;
 * - `pump_and_dump_update` / `market_frenzy_update` (phase `closed`) once, when the episode ends
 *   (activity back to normal, end of the trading day, or end of input), with final figures.
 *
 * All prices are in the instrument's currency, volumes in shares, times ISO 8601 from the tape.
 */
export interface PumpAlertData {
  /** Stable id of the episode: `symbol@onset_ts`. The same in every alert about it. */
  episode_id: string;
  phase: 'onset' | 'confirmed' | 'closed';
  /** `pump` when the tape shows the manipulation signature, `frenzy` when it shows only volume and price. */
  status: 'pump' | 'frenzy';
  /** First trade of the first abnormal minute (the detected start). */
  onset_ts: string;
  /** Trade on which the episode was detected. */
  detected_ts: string;
  /** Last trade of the episode (closing alerts), else the latest trade seen. */
  end_ts: string;
  /** Last price before the onset: the pre-episode reference. */
  ref_price: number;
  last_price: number;
  /** last_price / ref_price − 1. */
  price_change: number;
  peak_price: number;
  peak_ts: string;
  /** peak_price / ref_price − 1. */
  peak_change: number;
  /** Median daily volume of the symbol over its recent history (episode days excluded). */
  baseline_daily_volume: number;
  baseline_daily_trades: number;
  history_days: number;
  /** Shares traded from the onset to now. */
  episode_volume: number;
  episode_trades: number;
  /** Episode volume against the normal volume of the same number of minutes. */
  volume_multiple: number;
  /** Episode volume against one normal day. */
  daily_volume_multiple: number;
  /** Episode trade count against the normal count of the same number of minutes. */
  trade_count_multiple: number;
  /** Share of aggressor-known volume that was buyer-initiated (tick rule when no aggressor field). */
  aggressive_buy_share: number;
  /** Buyer-initiated prints that raised the price. */
  uptick_buys: number;
  /** Longest run of consecutive buyer-initiated prints ("rush orders"). */
  max_buy_run: number;
  /** Largest single print-to-print rise as a share of the rise from ref_price: near 1 is a gap (news), near 0 a ramp. */
  gap_share: number;
  /** Share of seller-initiated prints that did not lower the price: standing support bids absorb them. */
  support_share: number;
  /** When the price gave back `retrace` of its rise (null while it has not). */
  fade_ts: string | null;
  /** (peak − last) / (peak − ref), 0..1. */
  retrace: number;
  /** This broker's executions in the symbol during the episode (shares). */
  broker_buy_qty: number;
  broker_sell_qty: number;
  /** broker_buy_qty / episode_volume. */
  broker_buy_share: number;
  /** Median daily share of the symbol's tape volume that this broker executed before the episode. */
  broker_normal_share: number;
  /** This broker's accounts that bought during the episode (up to 100). */
  broker_buy_accounts: string[];
  /** This broker's accounts that sold during the episode (up to 100). */
  broker_sell_accounts: string[];
  /** Our accounts whose buy orders in the symbol our defence held or blocked as hijacked (from shortly before the onset). */
  held_buy_accounts: string[];
  /** Our accounts that ordered the symbol after trying to sell at least half of their portfolio the same day. */
  sold_off_buy_accounts: string[];
  /** Calendar days since this symbol's last pump, when it was pumped within `repeatDays` before (on watch); else null. */
  days_since_pump: number | null;
}

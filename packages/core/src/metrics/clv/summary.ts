/**
 * A member's purchase history reduced to the RFM summary the BG/NBD and Gamma-Gamma models
 * need, with the conventions of Fader, Hardie & Lee (2005) on the CDNOW data:
 *  - time is counted in whole calendar days (in the tenant's zone: the caller gives local days);
 *  - all orders of one day are one transaction, their amounts summed;
 *  - x   = repeat transactions = transaction days − 1 (the first purchase starts the clock);
 *  - t_x = days from the first to the last transaction day;
 *  - T   = days from the first transaction day to the as-of day (calibration end, inclusive:
 *          a transaction on the as-of day counts; first purchase 1997-01-01 as of 1997-09-30
 *          gives T = 272 days = 38.857 weeks, as in the paper);
 *  - m̄   = mean value of the repeat transactions only (the first is excluded, as in Fader &
 *          Hardie's Gamma-Gamma note), 0 when x = 0.
 * Days are divided by the unit's length: WEEK = 7 days (as in the paper), MONTH = 30.4375
 * days (365.25/12, the mean Gregorian month, so 12 months are one mean year).
 */
export type TimeUnit = "DAY" | "WEEK" | "MONTH";

export const DAYS_PER_MONTH = 365.25 / 12;

export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { DAY: 1, WEEK: 7, MONTH: DAYS_PER_MONTH };

/** One order (or refund-adjusted order) of a member, on a calendar day of the tenant's zone. */
export interface DayAmount {
  /** "YYYY-MM-DD" in the tenant's time zone. */
  day: string;
  /** Net amount in minor units (cents, fen). Gamma-Gamma's gamma and predicted values share the unit. */
  amountMinor: number;
}

export interface RfmSummary {
  /** Repeat transactions (transaction days − 1). */
  x: number;
  /** Recency: first to last transaction, in the time unit. */
  tx: number;
  /** Age: first transaction to the as-of day, in the time unit. */
  T: number;
  /** Mean net value of the repeat transactions (minor units); 0 when x = 0. */
  m: number;
  /** The same spans in whole days, exact keys for grouping. */
  txDays: number;
  TDays: number;
  firstDay: string;
  lastDay: string;
  /** Net amount of all transactions in the calibration period, first one included. */
  totalAmountMinor: number;
  timeUnit: TimeUnit;
}

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Calendar day → integer day number (days since 1970-01-01); time-zone free by construction. */
export function dayNumber(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`no such day: ${day}`);
  }
  return ms / DAY_MS;
}

function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The summary of one member as of `asOf` (inclusive), or null when the member has no
 * transaction on or before it (such members are not part of the fitted population).
 * Transactions after `asOf` are ignored: they belong to the holdout/future.
 */
export function summarize(transactions: Iterable<DayAmount>, asOf: string, timeUnit: TimeUnit = "WEEK"): RfmSummary | null {
  const end = dayNumber(asOf);
  const byDay = new Map<number, number>();
  for (const t of transactions) {
    const d = dayNumber(t.day);
    if (d > end) continue;
    if (!Number.isFinite(t.amountMinor)) throw new RangeError(`amountMinor must be finite (day ${t.day})`);
    byDay.set(d, (byDay.get(d) ?? 0) + t.amountMinor);
  }
  if (byDay.size === 0) return null;
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const first = days[0] as number;
  const last = days[days.length - 1] as number;
  let total = 0;
  for (const v of byDay.values()) total += v;
  const x = days.length - 1;
  const firstAmount = byDay.get(first) as number;
  const unit = DAYS_PER_UNIT[timeUnit];
  return {
    x,
    tx: (last - first) / unit,
    T: (end - first) / unit,
    m: x > 0 ? (total - firstAmount) / x : 0,
    txDays: last - first,
    TDays: end - first,
    firstDay: dayString(first),
    lastDay: dayString(last),
    totalAmountMinor: total,
    timeUnit,
  };
}

/** A transaction line of a flat log (e.g. an imported `customer id, date, amount` file). */
export interface CustomerDayAmount extends DayAmount {
  customerId: string;
}

/** Summaries for every customer of a flat transaction log, keyed by customer id (insertion order). */
export function summarizeLog(rows: Iterable<CustomerDayAmount>, asOf: string, timeUnit: TimeUnit = "WEEK"): Map<string, RfmSummary> {
  const byCustomer = new Map<string, DayAmount[]>();
  for (const r of rows) {
    let list = byCustomer.get(r.customerId);
    if (!list) byCustomer.set(r.customerId, (list = []));
    list.push(r);
  }
  const out = new Map<string, RfmSummary>();
  for (const [id, list] of byCustomer) {
    const s = summarize(list, asOf, timeUnit);
    if (s) out.set(id, s);
  }
  return out;
}

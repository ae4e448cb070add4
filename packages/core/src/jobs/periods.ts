import { DateTime, IANAZone } from "luxon";
import { ValidationError } from "../shared/errors.js";

/**
 * Calendar periods in a tenant's time zone, for cohorts and activity.
 *
 * A period is identified by an absolute integer index, so two periods can be compared and
 * subtracted without a calendar and partial results from different segments agree:
 * - MONTH: `year * 12 + (month - 1)` of the local date;
 * - WEEK: ISO weeks (Monday to Sunday) counted from Monday 1970-01-05, of the local date.
 *
 * Periods start at local midnight. Dates (`YYYY-MM-DD`) are local calendar dates in the zone;
 * instants are UTC ISO strings. `asOf` is a local date and covers that whole day: the data cut
 * is the start of the next local day (`asOfCutoff`).
 */
export const PERIOD_TYPES = ["WEEK", "MONTH"] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

const DAY_MS = 86_400_000;
/** Epoch day of Monday 1970-01-05, the first day of week index 0. */
const FIRST_MONDAY = 4;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPeriodType(value: unknown): value is PeriodType {
  return typeof value === "string" && (PERIOD_TYPES as readonly string[]).includes(value);
}

export function assertZone(zone: string): string {
  if (!IANAZone.isValidZone(zone)) throw new ValidationError(`"${zone}" is not an IANA time zone`, "timeZone");
  return zone;
}

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian, no time zone involved). */
function epochDay(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function dateOfEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Parses and checks a local date `YYYY-MM-DD` (a real calendar day). */
export function parseLocalDate(value: string, field = "asOf"): { year: number; month: number; day: number } {
  const m = DATE.exec(value);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (dateOfEpochDay(epochDay(year, month, day)) === value && year >= 1970 && year <= 2100) return { year, month, day };
  }
  throw new ValidationError(`${field} must be a calendar date YYYY-MM-DD (got "${value}")`, field);
}

/** The period holding a local calendar date. */
export function periodOfDate(date: string, type: PeriodType): number {
  const { year, month, day } = parseLocalDate(date, "date");
  return periodOfParts(year, month, day, type);
}

function periodOfParts(year: number, month: number, day: number, type: PeriodType): number {
  if (type === "MONTH") return year * 12 + (month - 1);
  return Math.floor((epochDay(year, month, day) - FIRST_MONDAY) / 7);
}

const toMillis = (instant: string | number | Date): number => {
  const ms = typeof instant === "number" ? instant : instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new ValidationError(`"${String(instant)}" is not an instant`, "instant");
  return ms;
};

/** The local calendar date of an instant in a zone. */
export function localDate(instant: string | number | Date, zone: string): string {
  const dt = DateTime.fromMillis(toMillis(instant), { zone });
  return dt.toISODate()!;
}

/** The period holding an instant, by its local date in `zone`. */
export function periodOf(instant: string | number | Date, type: PeriodType, zone: string): number {
  const dt = DateTime.fromMillis(toMillis(instant), { zone });
  return periodOfParts(dt.year, dt.month, dt.day, type);
}

/** Number of periods from `from` to `to` (k of a cohort cell: `periodIndex(cohort, active)`). */
export function periodIndex(from: number, to: number): number {
  return to - from;
}

/** First local date of a period. */
export function periodStartDate(index: number, type: PeriodType): string {
  if (type === "MONTH") {
    const year = Math.floor(index / 12);
    const month = index - year * 12 + 1;
    return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-01`;
  }
  return dateOfEpochDay(FIRST_MONDAY + index * 7);
}

/** First local date after the period (exclusive end). */
export function periodEndDate(index: number, type: PeriodType): string {
  return periodStartDate(index + 1, type);
}

/** Start of a local date in `zone` as a UTC instant (the first instant of that day, even across DST gaps). */
export function startOfLocalDay(date: string, zone: string): string {
  const { year, month, day } = parseLocalDate(date, "date");
  return DateTime.fromObject({ year, month, day }, { zone }).startOf("day").toUTC().toISO()!;
}

/** First instant of a period, UTC. */
export function periodStart(index: number, type: PeriodType, zone: string): string {
  return startOfLocalDay(periodStartDate(index, type), zone);
}

/** First instant after a period, UTC (exclusive end). */
export function periodEnd(index: number, type: PeriodType, zone: string): string {
  return startOfLocalDay(periodEndDate(index, type), zone);
}

/** The local date after `date`. */
export function nextDate(date: string): string {
  const { year, month, day } = parseLocalDate(date, "date");
  return dateOfEpochDay(epochDay(year, month, day) + 1);
}

/** The local date before `date`. */
export function previousDate(date: string): string {
  const { year, month, day } = parseLocalDate(date, "date");
  return dateOfEpochDay(epochDay(year, month, day) - 1);
}

/** Data cut for an as-of date: the start of the next local day (exclusive), UTC. */
export function asOfCutoff(asOf: string, zone: string): string {
  return startOfLocalDay(nextDate(asOf), zone);
}

/** Whether a period has ended by the end of local day `asOf` (its last day is `asOf` or earlier). */
export function isPeriodComplete(index: number, type: PeriodType, asOf: string): boolean {
  return periodEndDate(index, type) <= nextDate(asOf);
}

/** Yesterday in `zone`: the default as-of date, the last day that is over. */
export function defaultAsOf(zone: string, now: Date = new Date()): string {
  return previousDate(localDate(now, zone));
}

/**
 * Fast `periodOf` for many instants of one zone (a job calls it per order and event). The
 * zone's UTC offset is looked up once per UTC day: on a day whose offset is the same at its
 * first and last millisecond (every day but those with a DST or zone change), the local date is
 * plain arithmetic; other days go through luxon. Results are memoised per local day.
 */
export class PeriodIndexer {
  private readonly zoneObject: IANAZone;
  /** UTC day → offset in minutes, or NaN when it changes during that day. */
  private readonly offsets = new Map<number, number>();
  /** Local epoch day → period index. */
  private readonly periods = new Map<number, number>();

  constructor(
    readonly type: PeriodType,
    readonly zone: string,
  ) {
    this.zoneObject = IANAZone.create(assertZone(zone));
  }

  indexOf(instant: string | number | Date): number {
    const ms = toMillis(instant);
    const day = Math.floor(ms / DAY_MS);
    let offset = this.offsets.get(day);
    if (offset === undefined) {
      const first = this.zoneObject.offset(day * DAY_MS);
      offset = first === this.zoneObject.offset(day * DAY_MS + DAY_MS - 1) ? first : Number.NaN;
      this.offsets.set(day, offset);
    }
    if (Number.isNaN(offset)) return periodOf(ms, this.type, this.zone);
    const local = Math.floor((ms + offset * 60_000) / DAY_MS);
    let index = this.periods.get(local);
    if (index === undefined) {
      const d = new Date(local * DAY_MS);
      index = periodOfParts(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), this.type);
      this.periods.set(local, index);
    }
    return index;
  }
}

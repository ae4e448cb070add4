import { IANAZone } from "luxon";
import type { JobContext } from "../../jobs/job.js";
import { assertZone, localDate } from "../../jobs/periods.js";

const DAY_MS = 86_400_000;

/**
 * Instant → local calendar day (days since 1970-01-01) in one time zone, for every order of a
 * scan. Like `PeriodIndexer`: the zone's offset is looked up once per UTC day, and days whose
 * offset changes (DST, zone changes) go through luxon.
 */
export class LocalDays {
  private readonly zoneObject: IANAZone;
  private readonly offsets = new Map<number, number>();

  constructor(readonly zone: string) {
    this.zoneObject = IANAZone.create(assertZone(zone));
  }

  /** Local day number of an instant (UTC ISO string or epoch milliseconds). */
  dayOf(instant: string | number): number {
    const ms = typeof instant === "number" ? instant : Date.parse(instant);
    if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
    const utcDay = Math.floor(ms / DAY_MS);
    let offset = this.offsets.get(utcDay);
    if (offset === undefined) {
      const first = this.zoneObject.offset(utcDay * DAY_MS);
      offset = first === this.zoneObject.offset(utcDay * DAY_MS + DAY_MS - 1) ? first : Number.NaN;
      this.offsets.set(utcDay, offset);
    }
    if (Number.isNaN(offset)) return Date.parse(`${localDate(ms, this.zone)}T00:00:00Z`) / DAY_MS;
    return Math.floor((ms + offset * 60_000) / DAY_MS);
  }
}

/** `YYYY-MM-DD` of a day number. */
export const dayText = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Day number of `YYYY-MM-DD`. */
export const dayNumberOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** A run's day clock: the tenant's local days, the cutoff instant and the as-of day number. */
export interface RunDays {
  days: LocalDays;
  cutoff: number;
  asOfDay: number;
}
const perRun = new WeakMap<object, RunDays>();

/** The run's day clock, built once per job context (partials call it for every scanned item). */
export function runDays(ctx: JobContext<unknown>): RunDays {
  let state = perRun.get(ctx);
  if (!state) perRun.set(ctx, (state = { days: new LocalDays(ctx.settings.timeZone), cutoff: Date.parse(ctx.cutoff), asOfDay: dayNumberOf(ctx.asOf) }));
  return state;
}

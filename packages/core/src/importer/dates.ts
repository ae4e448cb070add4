import { DateTime } from "luxon";

const DAY = /^(\d{4})-?(\d{2})-?(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar day written YYYY-MM-DD or YYYYMMDD, normalised to YYYY-MM-DD; undefined if not a real date. */
export function parseDay(text: string): string | undefined {
  const m = DAY.exec(text.trim());
  if (!m) return undefined;
  // The separators must be both present or both absent: 1997-0101 is a typo, not a date.
  if (text.trim().length !== 8 && text.trim().length !== 10) return undefined;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  return DateTime.fromISO(day, { zone: "UTC" }).isValid ? day : undefined;
}

/**
 * Midnight of `day` in `zone`, as a UTC instant (`...Z`). Imports of plain dates mean "that day
 * where the brand is", so 1997-01-01 in Asia/Shanghai is 1996-12-31T16:00:00.000Z. Cached: a
 * history file has few distinct days.
 */
export function dayStart(day: string, zone: string): string {
  const key = `${zone}\u0000${day}`;
  let hit = dayCache.get(key);
  if (hit === undefined) {
    hit = DateTime.fromISO(day, { zone }).startOf("day").toUTC().toISO()!;
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(key, hit);
  }
  return hit;
}
const dayCache = new Map<string, string>();

/**
 * An instant from a CSV cell: ISO-8601 with an offset; a day (midnight in `zone`); or a local
 * date-time without offset ("2024-05-01 13:45"), read in `zone`. Undefined if none of these.
 */
export function parseInstant(text: string, zone: string): string | undefined {
  const value = text.trim();
  const day = parseDay(value);
  if (day) return dayStart(day, zone);
  if (WITH_OFFSET.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (LOCAL_DATE_TIME.test(value)) {
    const dt = DateTime.fromISO(value.replace(" ", "T"), { zone });
    return dt.isValid ? dt.toUTC().toISO()! : undefined;
  }
  return undefined;
}

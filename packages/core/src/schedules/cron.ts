/**
 * EventBridge schedule expressions, evaluated here for the local scheduler (`npm start --
 * --schedules`) so it fires at the same times as the cloud rules. Pure: no clock, no timers.
 *
 *   cron(Minutes Hours Day-of-month Month Day-of-week Year)   all in UTC
 *   rate(N minute|minutes|hour|hours|day|days)
 *
 * Cron fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps (`a/n`, `a-b/n`, and `*` followed by `/n`), month
 * names JAN-DEC and day names SUN-SAT (day-of-week 1 = Sunday, as in EventBridge). One of
 * day-of-month and day-of-week must be `?`. `L`, `W` and `#` are refused (no schedule uses
 * them); a rate counts from the scheduler's start.
 */

export type Schedule =
  | { kind: "cron"; expression: string; minutes: ReadonlySet<number>; hours: ReadonlySet<number>; days: ReadonlySet<number> | null; months: ReadonlySet<number>; weekdays: ReadonlySet<number> | null; years: ReadonlySet<number> | null }
  | { kind: "rate"; expression: string; everyMs: number };

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MINUTE = 60_000;

function field(text: string, name: string, min: number, max: number, names?: string[]): Set<number> {
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names?.indexOf(upper) ?? -1;
    const n = named >= 0 ? named + min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: "${token}" is not ${min}-${max}${names ? ` or ${names[0]}-${names[names.length - 1]}` : ""}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(",")) {
    if (/[LW#]/i.test(part.replace(/[A-Z]{3}/gi, (m) => (names?.includes(m.toUpperCase()) ? "" : m)))) throw new Error(`${name}: "${part}" (L, W and #) is not supported by the local scheduler`);
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${name}: step "${stepText}" must be a whole number of at least 1`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      [from, to] = [value(a!), value(b!)];
      if (from > to) throw new Error(`${name}: range "${range}" runs backwards`);
    } else {
      from = value(range!);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses `cron(...)` or `rate(...)`; throws Error with the reason. */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new Error(`${expression}: the rate must be at least 1`);
    const unit = rate[2]!.startsWith("minute") ? MINUTE : rate[2]!.startsWith("hour") ? 60 * MINUTE : 1440 * MINUTE;
    return { kind: "rate", expression, everyMs: n * unit };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`"${expression}" is neither cron(...) nor rate(...)`);
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [mi, h, dom, mo, dow, y] = parts as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) throw new Error(`${expression}: exactly one of day-of-month and day-of-week must be "?"`);
  return {
    kind: "cron",
    expression,
    minutes: field(mi, "minutes", 0, 59),
    hours: field(h, "hours", 0, 23),
    days: dom === "?" ? null : field(dom, "day-of-month", 1, 31),
    months: field(mo, "month", 1, 12, MONTHS),
    weekdays: dow === "?" ? null : field(dow, "day-of-week", 1, 7, DAYS),
    years: y === "*" ? null : field(y, "year", 1970, 2199),
  };
}

/**
 * The first time the schedule fires strictly after `after` (a rate: `start` + k × interval), or
 * null when it never fires again (a cron limited to past years).
 */
export function nextFire(schedule: Schedule, after: Date, start: Date = after): Date | null {
  const t0 = after.getTime();
  if (schedule.kind === "rate") {
    const k = Math.floor((t0 - start.getTime()) / schedule.everyMs) + 1;
    return new Date(start.getTime() + Math.max(1, k) * schedule.everyMs);
  }
  const s = schedule;
  let t = new Date(Math.floor(t0 / MINUTE) * MINUTE + MINUTE);
  for (let guard = 0; guard < 200_000; guard++) {
    const year = t.getUTCFullYear();
    if (s.years && !s.years.has(year)) {
      const later = [...s.years].filter((y) => y > year).sort((a, b) => a - b)[0];
      if (later === undefined) return null;
      t = new Date(Date.UTC(later, 0, 1));
      continue;
    }
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t = new Date(Date.UTC(year, t.getUTCMonth() + 1, 1));
      continue;
    }
    const dayOk = s.days ? s.days.has(t.getUTCDate()) : s.weekdays!.has(t.getUTCDay() + 1);
    if (!dayOk) {
      t = new Date(Date.UTC(year, t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t = new Date(Date.UTC(year, t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t = new Date(t.getTime() + MINUTE);
      continue;
    }
    return t;
  }
  return null;
}

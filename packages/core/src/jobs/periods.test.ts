import { describe, expect, it } from "vitest";
import {
  asOfCutoff,
  defaultAsOf,
  isPeriodComplete,
  localDate,
  nextDate,
  parseLocalDate,
  periodEnd,
  periodEndDate,
  periodIndex,
  PeriodIndexer,
  periodOf,
  periodOfDate,
  periodStart,
  periodStartDate,
} from "./periods.js";

const SH = "Asia/Shanghai";

describe("periods in the tenant's time zone", () => {
  it("puts 2025-03-31T16:30Z in April (Shanghai), but in March in UTC", () => {
    expect(localDate("2025-03-31T16:30:00Z", SH)).toBe("2025-04-01");
    expect(periodOf("2025-03-31T16:30:00Z", "MONTH", SH)).toBe(periodOfDate("2025-04-01", "MONTH"));
    expect(periodOf("2025-03-31T16:30:00Z", "MONTH", "UTC")).toBe(periodOfDate("2025-03-31", "MONTH"));
    // Exactly at Shanghai midnight (16:00Z) is the new month; one millisecond before is the old one.
    expect(periodOf("2025-03-31T16:00:00.000Z", "MONTH", SH)).toBe(2025 * 12 + 3);
    expect(periodOf("2025-03-31T15:59:59.999Z", "MONTH", SH)).toBe(2025 * 12 + 2);
  });

  it("uses ISO weeks starting Monday 00:00 local", () => {
    // Monday 2025-03-31 00:00 Shanghai = 2025-03-30T16:00Z.
    const week = periodOf("2025-03-30T16:00:00Z", "WEEK", SH);
    expect(periodStartDate(week, "WEEK")).toBe("2025-03-31");
    expect(periodEndDate(week, "WEEK")).toBe("2025-04-07");
    expect(periodOf("2025-03-30T15:59:59.999Z", "WEEK", SH)).toBe(week - 1);
    expect(periodOf("2025-04-06T15:59:59.999Z", "WEEK", SH)).toBe(week); // Sunday 23:59:59.999
    expect(periodOf("2025-04-06T16:00:00Z", "WEEK", SH)).toBe(week + 1);
    // Week 0 starts on Monday 1970-01-05; the week before it holds 1970-01-01 (a Thursday).
    expect(periodOfDate("1970-01-05", "WEEK")).toBe(0);
    expect(periodOfDate("1970-01-04", "WEEK")).toBe(-1);
    expect(periodStartDate(-1, "WEEK")).toBe("1969-12-29");
    // A week across a year end is one period (2024-12-30 is a Monday).
    expect(periodOfDate("2025-01-05", "WEEK")).toBe(periodOfDate("2024-12-30", "WEEK"));
  });

  it("gives period start and end instants and differences", () => {
    const april = periodOfDate("2025-04-15", "MONTH");
    expect(periodStart(april, "MONTH", SH)).toBe("2025-03-31T16:00:00.000Z");
    expect(periodEnd(april, "MONTH", SH)).toBe("2025-04-30T16:00:00.000Z");
    expect(periodStartDate(periodOfDate("2024-12-31", "MONTH") + 1, "MONTH")).toBe("2025-01-01");
    expect(periodIndex(periodOfDate("2024-11-03", "MONTH"), april)).toBe(5);
    expect(periodIndex(periodOfDate("2025-03-30", "WEEK"), periodOfDate("2025-03-31", "WEEK"))).toBe(1);
  });

  it("knows when a period is over as of a local date", () => {
    const april = periodOfDate("2025-04-01", "MONTH");
    expect(isPeriodComplete(april, "MONTH", "2025-04-29")).toBe(false);
    expect(isPeriodComplete(april, "MONTH", "2025-04-30")).toBe(true); // the whole last day is in
    const week = periodOfDate("2025-03-31", "WEEK");
    expect(isPeriodComplete(week, "WEEK", "2025-04-05")).toBe(false);
    expect(isPeriodComplete(week, "WEEK", "2025-04-06")).toBe(true);
    expect(asOfCutoff("2025-03-31", SH)).toBe("2025-03-31T16:00:00.000Z");
  });

  it("handles days without a midnight (DST starting at 00:00)", () => {
    // Chile jumps from 00:00 to 01:00 on 2025-09-07: that day starts at 01:00 local = 04:00Z.
    expect(asOfCutoff("2025-09-06", "America/Santiago")).toBe("2025-09-07T04:00:00.000Z");
    expect(localDate("2025-09-07T03:59:59.999Z", "America/Santiago")).toBe("2025-09-06");
    expect(localDate("2025-09-07T04:00:00Z", "America/Santiago")).toBe("2025-09-07");
  });

  it("indexes fast (offset per UTC day) without changing results", () => {
    const indexer = new PeriodIndexer("WEEK", SH);
    const start = Date.parse("2025-03-28T00:00:00Z");
    for (let ms = start; ms < start + 5 * 86_400_000; ms += 7 * 60_000 + 13_000) {
      expect(indexer.indexOf(ms)).toBe(periodOf(ms, "WEEK", SH));
    }
    // Across DST changes (New York, Santiago at midnight) and odd offsets (Liberia's -0:44:30 until 1972).
    for (const [zone, from] of [["America/New_York", "2025-03-08T00:00:00Z"], ["America/Santiago", "2025-09-05T00:00:00Z"], ["Africa/Monrovia", "1971-02-27T00:00:00Z"]] as const) {
      const fast = new PeriodIndexer("WEEK", zone);
      const days = new PeriodIndexer("MONTH", zone);
      for (let ms = Date.parse(from); ms < Date.parse(from) + 4 * 86_400_000; ms += 17 * 60_000 + 1_234) {
        expect(fast.indexOf(ms)).toBe(periodOf(ms, "WEEK", zone));
        expect(days.indexOf(ms)).toBe(periodOf(ms, "MONTH", zone));
      }
    }
    const monrovia = new PeriodIndexer("MONTH", "Africa/Monrovia");
    for (const ms of [Date.parse("1971-03-01T00:44:29.999Z"), Date.parse("1971-03-01T00:44:30Z")]) {
      expect(monrovia.indexOf(ms)).toBe(periodOf(ms, "MONTH", "Africa/Monrovia"));
    }
    expect(monrovia.indexOf("1971-03-01T00:44:29.999Z")).not.toBe(monrovia.indexOf("1971-03-01T00:44:30Z"));
  });

  it("validates dates and defaults as-of to yesterday in the zone", () => {
    expect(() => parseLocalDate("2025-02-29")).toThrow(/calendar date/);
    expect(() => parseLocalDate("2025-4-1")).toThrow(/calendar date/);
    expect(nextDate("2024-02-28")).toBe("2024-02-29");
    // 2025-03-31T16:30Z is already April 1st in Shanghai, so "yesterday" is March 31st.
    expect(defaultAsOf(SH, new Date("2025-03-31T16:30:00Z"))).toBe("2025-03-31");
    expect(defaultAsOf("UTC", new Date("2025-03-31T16:30:00Z"))).toBe("2025-03-30");
  });
});

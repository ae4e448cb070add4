import { describe, expect, it } from "vitest";
import { getJob } from "../jobs/registry.js";
import { JOB_SCHEDULES, nextFire, parseSchedule } from "./index.js";

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string, start?: string) => nextFire(parseSchedule(expression), at(after), start ? at(start) : undefined)?.toISOString() ?? null;

describe("schedule expressions (local scheduler)", () => {
  it("fires the job schedules at their UTC times, strictly after the given instant", () => {
    expect(next("cron(0 18 * * ? *)", "2026-11-23T11:56:00Z")).toBe("2026-11-23T18:00:00.000Z");
    expect(next("cron(0 18 * * ? *)", "2026-11-23T18:00:00Z")).toBe("2026-11-24T18:00:00.000Z");
    expect(next("cron(0 18 * * ? *)", "2026-11-23T17:59:59.999Z")).toBe("2026-11-23T18:00:00.000Z");
    expect(next("cron(30 18 * * ? *)", "2026-12-31T18:30:00Z")).toBe("2027-01-01T18:30:00.000Z");
    expect(next("cron(0 19 * * ? *)", "2026-02-28T20:00:00Z")).toBe("2026-03-01T19:00:00.000Z");
  });

  it("handles lists, ranges, steps, names, day-of-week (1 = Sunday) and years", () => {
    expect(next("cron(0/15 * * * ? *)", "2026-11-23T11:56:00Z")).toBe("2026-11-23T12:00:00.000Z");
    expect(next("cron(*/15 * * * ? *)", "2026-11-23T12:00:00Z")).toBe("2026-11-23T12:15:00.000Z");
    expect(next("cron(0 * * * ? *)", "2026-11-23T11:00:00Z")).toBe("2026-11-23T12:00:00.000Z");
    expect(next("cron(0 9 ? * MON-FRI *)", "2026-11-21T10:00:00Z")).toBe("2026-11-23T09:00:00.000Z"); // Saturday → Monday
    expect(next("cron(0 9 ? * 1 *)", "2026-11-23T10:00:00Z")).toBe("2026-11-29T09:00:00.000Z"); // 1 = Sunday
    expect(next("cron(5,35 8-9 1 JAN,JUL ? *)", "2026-07-01T09:35:00Z")).toBe("2027-01-01T08:05:00.000Z");
    expect(next("cron(0 0 29 2 ? *)", "2026-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("cron(0 0 1 1 ? 2020-2025)", "2026-01-01T00:00:00Z")).toBeNull();
  });

  it("counts rates from the scheduler's start", () => {
    expect(next("rate(15 minutes)", "2026-11-23T12:01:00Z", "2026-11-23T12:00:00Z")).toBe("2026-11-23T12:15:00.000Z");
    expect(next("rate(1 hour)", "2026-11-23T13:00:00Z", "2026-11-23T12:00:00Z")).toBe("2026-11-23T14:00:00.000Z");
    expect(next("rate(1 day)", "2026-11-23T12:00:00Z")).toBe("2026-11-24T12:00:00.000Z");
  });

  it.each([
    ["cron(0 18 * * *)", /6 fields/],
    ["cron(0 18 * * * *)", /exactly one of day-of-month and day-of-week/],
    ["cron(0 18 ? * ? *)", /exactly one of day-of-month and day-of-week/],
    ["cron(60 18 * * ? *)", /minutes: "60" is not 0-59/],
    ["cron(0 18 L * ? *)", /not supported/],
    ["cron(0 18 ? * 6#3 *)", /not supported/],
    ["cron(0 18 ? * FOO *)", /day-of-week: "FOO"/],
    ["cron(0 20-18 * * ? *)", /runs backwards/],
    ["at(2026-11-23T00:00:00)", /neither cron/],
    ["rate(0 minutes)", /at least 1/],
  ])("refuses %s", (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });

  it("can run every job schedule locally: each parses and names a registered job with valid variants", () => {
    for (const s of JOB_SCHEDULES) {
      expect(nextFire(parseSchedule(s.cron), new Date())).not.toBeNull();
      const job = getJob(s.job);
      for (const v of s.variants) expect(() => job.parseParams(v)).not.toThrow();
    }
  });
});

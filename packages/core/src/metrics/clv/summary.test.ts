import { describe, expect, it } from "vitest";
import { CDNOW_CALIBRATION_END, readCdnow } from "./cdnow-fixture.js";
import { dayNumber, summarize, summarizeLog } from "./summary.js";

describe("RFM summary", () => {
  it("merges same-day orders, counts repeats, measures days to the inclusive as-of day", () => {
    const s = summarize(
      [
        { day: "2025-01-10", amountMinor: 500 },
        { day: "2025-01-01", amountMinor: 1000 },
        { day: "2025-01-10", amountMinor: 700 }, // same day as the first line: one transaction of 1200
        { day: "2025-01-15", amountMinor: 300 }, // the as-of day itself counts
        { day: "2025-01-16", amountMinor: 9999 }, // after the as-of day: ignored
      ],
      "2025-01-15",
      "DAY",
    );
    // Days 1, 10, 15 → x = 2; t_x = 14; T = 14; m̄ = (1200 + 300) / 2, the first purchase left out.
    expect(s).toEqual({ x: 2, tx: 14, T: 14, m: 750, txDays: 14, TDays: 14, firstDay: "2025-01-01", lastDay: "2025-01-15", totalAmountMinor: 2500, timeUnit: "DAY" });
  });

  it("gives x = 0, t_x = 0, m̄ = 0 for a one-time buyer and null without purchases before the as-of day", () => {
    expect(summarize([{ day: "2024-02-28", amountMinor: 100 }, { day: "2024-02-28", amountMinor: 50 }], "2024-03-01", "DAY")).toMatchObject({ x: 0, tx: 0, T: 2, m: 0, totalAmountMinor: 150 }); // 2024 is a leap year
    expect(summarize([{ day: "2024-03-02", amountMinor: 100 }], "2024-03-01")).toBeNull();
    expect(summarize([], "2024-03-01")).toBeNull();
  });

  it("divides whole days by 7 for weeks and by 365.25/12 for months", () => {
    const tx = [{ day: "1997-01-01", amountMinor: 1 }, { day: "1997-08-02", amountMinor: 1 }];
    expect(summarize(tx, "1997-09-30", "WEEK")).toMatchObject({ tx: 213 / 7, T: 272 / 7 });
    expect(summarize(tx, "1997-09-30", "MONTH")).toMatchObject({ tx: 213 / 30.4375, T: 272 / 30.4375 });
  });

  it("rejects malformed and impossible days", () => {
    expect(() => dayNumber("2025-02-30")).toThrow(RangeError);
    expect(() => dayNumber("20250101")).toThrow(RangeError);
    expect(dayNumber("1970-01-02")).toBe(1);
  });

  it("CDNOW sample, calibration to 1997-09-30: the counts the BG/NBD fit is built on", () => {
    const s = summarizeLog(readCdnow("sample"), CDNOW_CALIBRATION_END, "WEEK");
    const all = [...s.values()];
    expect(all.length).toBe(2357); // the 1/10 sample: every customer first bought in 1997 Q1
    expect(all.filter((v) => v.x === 0).length).toBe(1411); // no repeat purchase in the 39 weeks
    expect(all.filter((v) => v.x > 0).length).toBe(946); // the Gamma-Gamma note's 946 customers
    expect(all.reduce((n, v) => n + v.x, 0)).toBe(2457); // repeat transactions (days), calibration
    expect(Math.max(...all.map((v) => v.x))).toBe(29);
    expect(all.reduce((n, v) => n + v.TDays, 0)).toBe(539_779);
    expect(all.reduce((n, v) => n + v.txDays, 0)).toBe(112_949);
    // The paper's worked example is this customer: x = 2, t_x = 30.43, T = 38.86 weeks.
    expect(s.get("00004")).toMatchObject({ x: 2, txDays: 213, TDays: 272, firstDay: "1997-01-01", lastDay: "1997-08-02" });
    // Mean of m̄ over the 946 (dollars): $35.08.
    expect(all.filter((v) => v.x > 0).reduce((n, v) => n + v.m, 0) / 946 / 100).toBeCloseTo(35.078, 3);
  });

  it("CDNOW sample: 1,882 repeat transactions in the 39-week holdout to 1998-06-30", () => {
    const rows = readCdnow("sample");
    const cal = summarizeLog(rows, CDNOW_CALIBRATION_END);
    let holdout = 0;
    for (const [id, v] of summarizeLog(rows, "1998-06-30")) holdout += v.x - (cal.get(id)?.x ?? 0);
    expect(holdout).toBe(1882);
  });
});

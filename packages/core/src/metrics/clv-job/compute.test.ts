/**
 * The predictive CLV job's pure parts, without DynamoDB: options, local days, exact merging of
 * partials, and the finish step's warnings and fallbacks on data where a fit is unusable.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { JobContext } from "../../jobs/job.js";
import { asOfCutoff, localDate } from "../../jobs/periods.js";
import { DEFAULT_SETTINGS } from "../../tenant/settings.js";
import { predictMember, rng } from "../clv/index.js";
import { computeClv, predictWithValue } from "./compute.js";
import { LocalDays } from "./local-days.js";
import { addItem, decodePartial, encodePartial, mergePartials, type ClvPartial } from "./partial.js";
import { clvParamsKey, parseClvParams, type ClvParams } from "./params.js";

const ZONE = "Asia/Shanghai";

function context(asOf: string, params: ClvParams = parseClvParams({}), zone = ZONE): JobContext<ClvParams> {
  return { tenantId: "t", asOf, cutoff: asOfCutoff(asOf, zone), settings: { tenantId: "t", name: "t", ...DEFAULT_SETTINGS, timeZone: zone }, params, jobId: `predictive-clv.${clvParamsKey(params)}` };
}

const member = (id: string, joinedAt: string, extra: Record<string, unknown> = {}) => ({ pk: `T#t#M#${id}`, sk: "MEMBER", memberId: id, status: "ACTIVE", joinedAt, sourceChannel: "WEB", tier: "SILENT", orderCount: 0, grossSpendMinor: 0, refundedMinor: 0, ...extra });
const order = (id: string, memberId: string, occurredAt: string, amountMinor: number, refundedMinor = 0) => ({ pk: `T#t#ORDER#${id}`, sk: "ORDER", memberId, occurredAt, amountMinor, refundedMinor });

function partialOf(items: Record<string, unknown>[], ctx: JobContext<ClvParams>): ClvPartial {
  let p: ClvPartial = new Map();
  for (const item of items) p = addItem(p, item, ctx);
  return p;
}

const compute = (p: ClvPartial, ctx: JobContext<ClvParams>) =>
  computeClv(p, { tenantId: "t", asOf: ctx.asOf, timeZone: ctx.settings.timeZone, currency: "CNY", paramsKey: clvParamsKey(ctx.params), params: ctx.params, computedAt: "now" });

/** Members with stored stats that match their orders (no MEMBER_STATS_MISMATCH). */
function buyers(spec: [id: string, days: string[], amountMinor: number][], joined = "2024-12-01T00:00:00Z") {
  const items: Record<string, unknown>[] = [];
  for (const [id, days, amount] of spec) {
    items.push(member(id, joined, { orderCount: days.length, grossSpendMinor: amount * days.length }));
    days.forEach((d, i) => items.push(order(`${id}-${i}`, id, `${d}T04:00:00Z`, amount)));
  }
  return items;
}

describe("options", () => {
  it("default to weeks, 12 months and 1% a month, and accept strings from the CLI and schedules", () => {
    expect(parseClvParams({})).toEqual({ timeUnit: "WEEK", horizonMonths: 12, monthlyDiscountRate: 0.01 });
    expect(parseClvParams({ unit: "month", horizon: "24", discount: "0.005" })).toEqual({ timeUnit: "MONTH", horizonMonths: 24, monthlyDiscountRate: 0.005 });
    expect(clvParamsKey(parseClvParams({}))).toBe("WEEK.12m.0.01");
    expect(clvParamsKey(parseClvParams({ unit: "DAY", horizon: 3, discount: 0 }))).toBe("DAY.3m.0");
    expect(() => parseClvParams({ unit: "YEAR" })).toThrow(/unit/);
    expect(() => parseClvParams({ horizon: "1.5" })).toThrow(/horizon/);
    expect(() => parseClvParams({ horizon: 121 })).toThrow(/horizon/);
    expect(() => parseClvParams({ discount: "-0.1" })).toThrow(/discount/);
    expect(() => parseClvParams({ discount: "x" })).toThrow(/discount/);
    expect(() => parseClvParams({ period: "WEEK" })).toThrow(/takes unit, horizon and discount/);
  });
});

describe("LocalDays", () => {
  it("gives luxon's local date for every instant, across DST changes", () => {
    for (const zone of ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"]) {
      const days = new LocalDays(zone);
      const u = rng(7);
      for (let i = 0; i < 3000; i++) {
        const ms = Date.UTC(1997, 0, 1) + Math.floor(u() * 30 * 365 * 86_400_000);
        expect(new Date(days.dayOf(ms) * 86_400_000).toISOString().slice(0, 10), `${zone} ${new Date(ms).toISOString()}`).toBe(localDate(ms, zone));
      }
      // Around the switches themselves, minute by minute.
      for (const day of ["1997-04-06", "1997-10-26", "2025-03-09", "2025-11-02", "2025-03-30", "2025-10-05", "2025-04-06"]) {
        const start = DateTime.fromISO(day, { zone }).startOf("day").toMillis();
        for (let m = -90; m < 26 * 60; m += 7) {
          const ms = start + m * 60_000;
          expect(new Date(days.dayOf(ms) * 86_400_000).toISOString().slice(0, 10)).toBe(localDate(ms, zone));
        }
      }
    }
  });
});

describe("partials", () => {
  /** 40 members with random orders (some the same day, some refunded, some after the cutoff) and a few merged / late members. */
  function randomItems(seed: number): Record<string, unknown>[] {
    const u = rng(seed);
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `m${String(i).padStart(2, "0")}`;
      const status = i % 13 === 5 ? "MERGED" : i % 11 === 3 ? "ERASED" : "ACTIVE";
      const joined = i === 7 ? "2025-07-01T00:00:00+08:00" : `2025-0${1 + (i % 5)}-0${1 + (i % 9)}T10:00:00+08:00`;
      const n = Math.floor(u() * 6);
      let count = 0;
      let net = 0;
      for (let k = 0; k < n; k++) {
        const at = new Date(Date.UTC(2025, 0, 1) + Math.floor(u() * 200) * 86_400_000 + Math.floor(u() * 86_400_000)).toISOString();
        const amount = 100 * Math.floor(1 + u() * 500);
        const refunded = u() < 0.2 ? Math.floor(amount * u()) : 0;
        items.push(order(`${id}-${k}`, id, at, amount, refunded));
        count++;
        net += amount - refunded;
      }
      if (i !== 11) items.push(member(id, joined, { status, sourceChannel: ["WEB", "APP", "STORE"][i % 3], tier: ["SILENT", "ACTIVE"][i % 2], orderCount: count, grossSpendMinor: net, refundedMinor: 0 }));
    }
    return items;
  }

  it("merge exactly, in any split and order, and survive encode/decode", () => {
    const ctx = context("2025-06-30");
    const items = randomItems(3);
    const whole = compute(partialOf(items, ctx), ctx);
    const u = rng(11);
    for (const segments of [2, 4, 7]) {
      const parts: Record<string, unknown>[][] = Array.from({ length: segments }, () => []);
      for (const item of items) parts[Math.floor(u() * segments)]!.push(item);
      const partials = parts.map((p) => decodePartial(JSON.parse(JSON.stringify(encodePartial(partialOf(p, ctx))))));
      const forward = partials.reduce((a, b) => mergePartials(a, b));
      const backward = parts
        .map((p) => partialOf(p, ctx))
        .reverse()
        .reduce((a, b) => mergePartials(b, a));
      expect(compute(forward, ctx)).toEqual(whole);
      expect(compute(backward, ctx)).toEqual(whole);
    }
    // m11 has orders but no member item; m05 is merged; m07 joins after the as-of date.
    expect(whole.members.map((m) => m.memberId)).not.toContain("m11");
    expect(whole.members.map((m) => m.memberId)).not.toContain("m05");
    expect(whole.members.map((m) => m.memberId)).not.toContain("m07");
    expect(whole.snapshot.warnings.map((w) => w.code)).toContain("ORDERS_WITHOUT_MEMBER");
    expect(whole.snapshot.warnings.map((w) => w.code)).not.toContain("MEMBER_STATS_MISMATCH");
  });
});

describe("finish: warnings and fallbacks, never a crash", () => {
  it("no orders at all: historical averages only, BGNBD_NO_CUSTOMERS", () => {
    const ctx = context("2025-06-30");
    const run = compute(partialOf([member("a", "2025-01-01T00:00:00Z"), member("b", "2025-02-01T00:00:00Z")], ctx), ctx);
    expect(run.snapshot).toMatchObject({ members: 2, customers: 0, parameters: { bgnbd: null, gammaGamma: null, spendModel: "POPULATION_MEAN", observedMeanSpendMinor: 0 }, top: [] });
    expect(run.snapshot.distribution.members).toBe(0);
    expect(run.snapshot.warnings.map((w) => w.code)).toEqual(["BGNBD_NO_CUSTOMERS"]);
    expect(run.members.map((m) => m.prediction)).toEqual([null, null]);
    expect(run.snapshot.historical.overall).toEqual({ key: "ALL", members: 2, customers: 0, revenueMinor: 0, averageMinor: 0 });
  });

  it("one-time buyers only: GAMMA_GAMMA_NO_DATA, every purchase worth the observed mean", () => {
    const ctx = context("2025-06-30");
    const run = compute(partialOf(buyers([["a", ["2025-03-01"], 1000], ["b", ["2025-04-01"], 3000], ["c", ["2025-05-01"], 2000]]), ctx), ctx);
    expect(run.snapshot.warnings.map((w) => w.code)).toContain("GAMMA_GAMMA_NO_DATA");
    expect(run.snapshot.parameters).toMatchObject({ gammaGamma: null, spendModel: "POPULATION_MEAN", observedMeanSpendMinor: 2000 });
    for (const m of run.members) expect(m.prediction?.expectedAverageValue).toBe(2000);
  });

  it("q ≤ 1: GAMMA_GAMMA_Q_NOT_ABOVE_ONE, parameters kept in the snapshot, predictions on the observed mean spend", () => {
    // Five members with 21 purchase days each (x = 20), whose mean spends differ by three orders
    // of magnitude: the spread is between customers, a heavy-tailed ν, and the MLE has q ≈ 0.84.
    // Five light buyers (two days each) give BG/NBD an interior optimum.
    const ctx = context("2025-06-30");
    const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    const heavy: [start: number, gap: number][] = [[7, 5], [15, 2], [10, 3], [8, 7], [0, 3]];
    const spec: [string, string[], number][] = [1000, 1100, 1200, 1300, 1_000_000].map((m, i) => [`m${i}`, Array.from({ length: 21 }, (_, k) => day(heavy[i]![0] + k * heavy[i]![1])), m]);
    [[102, 114], [38, 56], [56, 63], [127, 147], [68, 79]].forEach((days, j) => spec.push([`l${j}`, days.map(day), 500]));
    const run = compute(partialOf(buyers(spec), ctx), ctx);
    const { gammaGamma, bgnbd, spendModel, observedMeanSpendMinor } = run.snapshot.parameters;
    expect(gammaGamma).toMatchObject({ customers: 10, converged: true, used: false });
    expect(bgnbd!.r).toBeCloseTo(3.214, 2);
    expect(gammaGamma!.q).toBeLessThan(1);
    expect(spendModel).toBe("POPULATION_MEAN");
    expect(observedMeanSpendMinor).toBe((21 * (1000 + 1100 + 1200 + 1300 + 1_000_000) + 10 * 500) / (5 * 21 + 10));
    expect(run.snapshot.warnings.map((w) => w.code)).toContain("GAMMA_GAMMA_Q_NOT_ABOVE_ONE");
    expect(run.snapshot.warnings.map((w) => w.code)).not.toContain("PREDICTION_FAILED");
    for (const m of run.members) {
      expect(m.prediction).toEqual(predictWithValue(bgnbd!, observedMeanSpendMinor, m.summary!, { horizonMonths: 12, monthlyDiscountRate: 0.01 }));
      expect(m.prediction!.expectedAverageValue).toBe(observedMeanSpendMinor);
    }
  });

  it("a degenerate BG/NBD fit (identical customers): BGNBD_AT_BOUNDARY, members without a finite prediction left out", () => {
    const ctx = context("2025-06-30");
    const days = Array.from({ length: 21 }, (_, i) => new Date(Date.UTC(2025, 0, 6 + 7 * i)).toISOString().slice(0, 10));
    const run = compute(partialOf(buyers(["a", "b", "c", "d", "e"].map((id) => [id, days, 1000])), ctx), ctx);
    const codes = run.snapshot.warnings.map((w) => w.code);
    expect(codes).toContain("BGNBD_AT_BOUNDARY");
    expect(codes).toContain("PREDICTION_FAILED");
    expect(run.members.every((m) => m.prediction === null && m.summary?.x === 20)).toBe(true);
    expect(run.snapshot.distribution.members).toBe(0);
    expect(run.snapshot.historical.overall.revenueMinor).toBe(5 * 21 * 1000);
  });

  it("a Gamma-Gamma fit that does not converge: GAMMA_GAMMA_NOT_CONVERGED and the same fallback", () => {
    // Ten members whose repeat spends fit no interior optimum (p runs off to infinity).
    const ctx = context("2025-06-30");
    const spec: [string, string[], number][] = [
      ["a", ["2025-01-06", "2025-02-03", "2025-03-10", "2025-05-05"], 9000],
      ["b", ["2025-01-20", "2025-03-03", "2025-06-02"], 6500],
      ["c", ["2025-01-08", "2025-01-22", "2025-02-05", "2025-04-16"], 3000],
      ["d", ["2025-03-01", "2025-06-29"], 45000],
      ["e", ["2025-04-01", "2025-05-20", "2025-06-30"], 8500],
      ["f", ["2025-02-10", "2025-02-24", "2025-03-24", "2025-04-21", "2025-05-19"], 5000],
      ["g", ["2025-01-12", "2025-04-12"], 16000],
      ["h", ["2025-02-14"], 20000],
    ];
    const run = compute(partialOf(buyers(spec), ctx), ctx);
    const codes = run.snapshot.warnings.map((w) => w.code);
    expect(codes).toContain("GAMMA_GAMMA_NOT_CONVERGED");
    expect(run.snapshot.parameters.gammaGamma).toMatchObject({ converged: false, used: false });
    expect(run.snapshot.parameters.spendModel).toBe("POPULATION_MEAN");
    for (const m of run.members) expect(m.prediction!.expectedAverageValue).toBe(run.snapshot.parameters.observedMeanSpendMinor);
  });

  it("predictWithValue is predictMember's discounting with E[M] given", () => {
    const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, timeUnit: "WEEK" as const };
    const gg = { p: 6.25, q: 3.74, gamma: 1544 };
    for (const s of [{ x: 0, tx: 0, T: 38.86, m: 0 }, { x: 2, tx: 30.43, T: 38.86, m: 2234.5 }, { x: 7, tx: 35, T: 38, m: 1000 }]) {
      const full = predictMember(bg, gg, s, { horizonMonths: 12, monthlyDiscountRate: 0.01 });
      expect(predictWithValue(bg, full.expectedAverageValue, s, { horizonMonths: 12, monthlyDiscountRate: 0.01 })).toEqual(full);
    }
  });

  it("flags members whose stored order stats differ from their orders", () => {
    const ctx = context("2025-06-30");
    const items = buyers([["a", ["2025-03-01", "2025-04-01"], 1000]]);
    items.push(member("b", "2025-01-01T00:00:00Z", { orderCount: 3, grossSpendMinor: 100 }));
    const run = compute(partialOf(items, ctx), ctx);
    expect(run.snapshot.warnings.find((w) => w.code === "MEMBER_STATS_MISMATCH")?.message).toMatch(/^1 member/);
  });
});

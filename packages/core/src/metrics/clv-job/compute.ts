/**
 * The predictive CLV job's finish step as a pure function of the merged partial: RFM summaries,
 * the BG/NBD and Gamma-Gamma fits, per-member predictions, historical CLV averages and the
 * snapshot. Deterministic: members are taken in id order, so the fits see the same sequence of
 * observations whatever the segment count or merge order (floating-point sums depend on order).
 */
import { fitBgnbd, type BgnbdParams } from "../clv/bgnbd.js";
import { purchaseOutlook, type MemberPrediction, type PurchaseOutlook } from "../clv/clv.js";
import { clvDistribution, topMembers, type ClvDistribution } from "../clv/distribution.js";
import { expectedAverageValue, fitGammaGamma, populationMeanValue, usableForSpend, type GammaGammaParams } from "../clv/gammagamma.js";
import { summarize, type DayAmount, type RfmSummary, type TimeUnit } from "../clv/summary.js";
import { dayText } from "./local-days.js";
import type { ClvPartial } from "./partial.js";
import type { ClvParams } from "./params.js";

export const TOP_MEMBERS = 20;

export interface BgnbdFit {
  r: number;
  alpha: number;
  a: number;
  b: number;
  timeUnit: TimeUnit;
  logLikelihood: number;
  /** Members fitted: every counted member with at least one order by the as-of date. */
  customers: number;
  converged: boolean;
  evaluations: number;
}

export interface GammaGammaFit {
  p: number;
  q: number;
  /** Scale, in minor units. */
  gamma: number;
  logLikelihood: number;
  /** Members fitted: repeat buyers (x ≥ 1) whose repeat purchases average above zero. */
  customers: number;
  converged: boolean;
  evaluations: number;
  /** Whether predictions use it (q > 1 and converged); otherwise the population mean spend does. */
  used: boolean;
}

/** Where the expected value of a future purchase comes from. */
export type SpendModel = "GAMMA_GAMMA" | "POPULATION_MEAN";

export interface ClvWarning {
  /**
   * BGNBD_NO_CUSTOMERS, BGNBD_FAILED, BGNBD_NOT_CONVERGED, BGNBD_AT_BOUNDARY, GAMMA_GAMMA_NO_DATA,
   * GAMMA_GAMMA_FAILED, GAMMA_GAMMA_NOT_CONVERGED, GAMMA_GAMMA_AT_BOUNDARY, GAMMA_GAMMA_Q_NOT_ABOVE_ONE, PREDICTION_FAILED, ORDERS_WITHOUT_MEMBER,
   * MEMBER_STATS_MISMATCH.
   */
  code: string;
  message: string;
}

export interface ClvAverage {
  /** `ALL`, a join month `YYYY-MM`, a channel or a tier. */
  key: string;
  /** Members in the group (M). */
  members: number;
  /** Members of the group with at least one order by the as-of date. */
  customers: number;
  /** Net revenue of the group's members up to the as-of date (R, minor units). */
  revenueMinor: number;
  /** R ÷ M (minor units, unrounded); 0 for an empty group. */
  averageMinor: number;
}

export interface ClvHistorical {
  overall: ClvAverage;
  /** By join month in the tenant's zone, oldest first. */
  byCohort: ClvAverage[];
  /** By source channel, by key. */
  byChannel: ClvAverage[];
  /** By tier (the members' tier when scanned), by key. */
  byTier: ClvAverage[];
}

export interface ClvTopEntry {
  memberId: string;
  predictedClvMinor: number;
  expectedPurchases: number;
  pAlive: number;
}

/** The stored snapshot: aggregates and model parameters, member ids only (no personal data). */
export interface ClvSnapshot {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  paramsKey: string;
  timeUnit: TimeUnit;
  horizonMonths: number;
  monthlyDiscountRate: number;
  /** Members counted (active and erased members who joined by the as-of date; merged duplicates count in their survivor). */
  members: number;
  /** Counted members with at least one order by the as-of date: the population of the fits and predictions. */
  customers: number;
  parameters: {
    bgnbd: BgnbdFit | null;
    gammaGamma: GammaGammaFit | null;
    spendModel: SpendModel;
    /** Mean net value of a transaction (a member's orders of one day) over the customers' transactions, minor units, ≥ 0. */
    observedMeanSpendMinor: number;
  };
  /** Predicted CLV over the customers (deciles: 1 = top 10%). */
  distribution: ClvDistribution;
  /** The members with the highest predicted CLV, highest first (ties by id). */
  top: ClvTopEntry[];
  historical: ClvHistorical;
  warnings: ClvWarning[];
  computedAt: string;
}

/** One member's result, written to the member's partition. */
export interface ClvMemberResult {
  memberId: string;
  /** Net revenue up to the as-of date (minor units). */
  historicalClvMinor: number;
  /** What the models were fed; null without an order by the as-of date. */
  summary: RfmSummary | null;
  /** Null without an order by the as-of date, or when BG/NBD could not be fitted. */
  prediction: MemberPrediction | null;
}

/** What `finish` returns: the snapshot, and the per-member results `write` stores beside each member. */
export interface ClvRun {
  snapshot: ClvSnapshot;
  members: ClvMemberResult[];
}

export interface ComputeInput {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  paramsKey: string;
  params: ClvParams;
  computedAt: string;
}

/**
 * CLV of a member when spend per purchase is one value for everybody (the fallback): the same
 * month-by-month discounting as `predictMember`, with E[M] replaced by `value`.
 */
export function predictWithValue(bg: Pick<BgnbdParams, "r" | "alpha" | "a" | "b" | "timeUnit">, value: number, member: Pick<RfmSummary, "x" | "tx" | "T">, params: Pick<ClvParams, "horizonMonths" | "monthlyDiscountRate">): MemberPrediction {
  const o = purchaseOutlook(bg, member.x, member.tx, member.T, params);
  return { expectedPurchases: o.expectedPurchases, pAlive: o.pAlive, expectedAverageValue: value, clv: o.discountedPurchases * value };
}

/** Shape parameters fitted over their logarithms run off to 0 or ∞ when the data cannot pin them down. */
const BOUNDS = [1e-6, 1e6] as const;
function atBoundary(values: Record<string, number>): string | null {
  const off = Object.entries(values).filter(([, v]) => v < BOUNDS[0] || v > BOUNDS[1]);
  return off.length === 0 ? null : off.map(([k, v]) => `${k} = ${v.toPrecision(3)}`).join(", ");
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function averages(groups: Map<string, ClvAverage>): ClvAverage[] {
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(withAverage);
}
const withAverage = (g: ClvAverage): ClvAverage => ({ ...g, averageMinor: g.members === 0 ? 0 : g.revenueMinor / g.members });
const group = (key: string): ClvAverage => ({ key, members: 0, customers: 0, revenueMinor: 0, averageMinor: 0 });

export function computeClv(merged: ClvPartial, input: ComputeInput): ClvRun {
  const { params } = input;
  const warnings: ClvWarning[] = [];
  const ids = [...merged.keys()].sort();

  // Summaries and historical CLV, member by member in id order.
  const results: ClvMemberResult[] = [];
  const overall = group("ALL");
  const byCohort = new Map<string, ClvAverage>();
  const byChannel = new Map<string, ClvAverage>();
  const byTier = new Map<string, ClvAverage>();
  let orphans = 0;
  let mismatches = 0;
  let transactions = 0;
  let transactionsNet = 0;
  for (const id of ids) {
    const state = merged.get(id)!;
    if (state.out) continue;
    const info = state.info;
    if (!info) {
      if (state.allOrders > 0) orphans++;
      continue;
    }
    if (info.orderCount !== state.allOrders || info.netSpendMinor !== state.allNetMinor) mismatches++;
    const tx: DayAmount[] = state.days.map((day, i) => ({ day: dayText(day), amountMinor: state.nets[i] as number }));
    const summary = summarize(tx, input.asOf, params.timeUnit);
    const historicalClvMinor = summary?.totalAmountMinor ?? 0;
    if (summary) {
      transactions += summary.x + 1;
      transactionsNet += summary.totalAmountMinor;
    }
    results.push({ memberId: id, historicalClvMinor, summary, prediction: null });
    for (const [map, key] of [[byCohort, info.cohort], [byChannel, info.channel], [byTier, info.tier]] as const) {
      let g = map.get(key);
      if (!g) map.set(key, (g = group(key)));
      for (const target of [g, ...(map === byCohort ? [overall] : [])]) {
        target.members++;
        target.revenueMinor += historicalClvMinor;
        if (summary) target.customers++;
      }
    }
  }
  if (orphans > 0) warnings.push({ code: "ORDERS_WITHOUT_MEMBER", message: `orders of ${orphans} member id(s) without a member item were ignored` });
  if (mismatches > 0) warnings.push({ code: "MEMBER_STATS_MISMATCH", message: `${mismatches} member(s) have stored order stats (count or net spend) that differ from their orders; CLV uses the orders` });

  const customers = results.filter((r) => r.summary !== null);
  const observedMeanSpendMinor = transactions > 0 ? Math.max(0, transactionsNet / transactions) : 0;

  // BG/NBD over every customer.
  let bgnbd: BgnbdFit | null = null;
  if (customers.length === 0) warnings.push({ code: "BGNBD_NO_CUSTOMERS", message: "no member has an order by the as-of date: nothing to fit" });
  else {
    try {
      const fit = fitBgnbd(customers.map((c) => c.summary!), params.timeUnit);
      bgnbd = { r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b, timeUnit: fit.timeUnit, logLikelihood: fit.logLikelihood, customers: fit.customers, converged: fit.converged, evaluations: fit.evaluations };
      if (![fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every(Number.isFinite)) throw new Error("the fit ended on non-finite parameters");
      if (!fit.converged) warnings.push({ code: "BGNBD_NOT_CONVERGED", message: `BG/NBD did not converge in ${fit.evaluations} evaluations: predictions use the best parameters found` });
      const edge = atBoundary({ r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b });
      if (edge) warnings.push({ code: "BGNBD_AT_BOUNDARY", message: `BG/NBD ran to the edge of its parameter space (${edge}): the data show too little heterogeneity for the model; predictions are computed but weak` });
    } catch (error) {
      bgnbd = null;
      warnings.push({ code: "BGNBD_FAILED", message: `BG/NBD could not be fitted (${message(error)}): no predictions` });
    }
  }

  // Gamma-Gamma over repeat buyers with a positive mean; the observed mean spend when unusable.
  let gammaGamma: GammaGammaFit | null = null;
  const spend = customers.map((c) => ({ x: c.summary!.x, m: c.summary!.m })).filter(usableForSpend);
  if (spend.length === 0) {
    if (customers.length > 0) warnings.push({ code: "GAMMA_GAMMA_NO_DATA", message: "no repeat buyer with a positive mean spend: every purchase is worth the observed mean spend" });
  } else {
    try {
      const fit: GammaGammaParams & { evaluations: number; converged: boolean } = fitGammaGamma(spend);
      const finite = [fit.p, fit.q, fit.gamma, fit.logLikelihood].every(Number.isFinite);
      const used = finite && fit.converged && fit.q > 1;
      gammaGamma = { p: fit.p, q: fit.q, gamma: fit.gamma, logLikelihood: fit.logLikelihood, customers: fit.customers, converged: fit.converged, evaluations: fit.evaluations, used };
      if (!finite) warnings.push({ code: "GAMMA_GAMMA_FAILED", message: "Gamma-Gamma ended on non-finite parameters: every purchase is worth the observed mean spend" });
      else if (!fit.converged) warnings.push({ code: "GAMMA_GAMMA_NOT_CONVERGED", message: `Gamma-Gamma did not converge in ${fit.evaluations} evaluations: every purchase is worth the observed mean spend` });
      const edge = finite ? atBoundary({ p: fit.p, q: fit.q }) : null;
      if (edge) warnings.push({ code: "GAMMA_GAMMA_AT_BOUNDARY", message: `Gamma-Gamma ran to the edge of its parameter space (${edge})` });
      if (finite && !(fit.q > 1)) warnings.push({ code: "GAMMA_GAMMA_Q_NOT_ABOVE_ONE", message: `Gamma-Gamma q = ${fit.q} ≤ 1: the population mean spend pγ/(q−1) is not finite, so every purchase is worth the observed mean spend` });
    } catch (error) {
      warnings.push({ code: "GAMMA_GAMMA_FAILED", message: `Gamma-Gamma could not be fitted (${message(error)}): every purchase is worth the observed mean spend` });
    }
  }
  const spendModel: SpendModel = gammaGamma?.used ? "GAMMA_GAMMA" : "POPULATION_MEAN";

  // Predictions.
  if (bgnbd) {
    const options = { horizonMonths: params.horizonMonths, monthlyDiscountRate: params.monthlyDiscountRate };
    let failed = 0;
    // The BG/NBD half depends on (x, t_x, T) only: computed once per triple (most of the
    // finish step's time; a 100,000-member brand has far fewer triples than customers).
    // Same arithmetic as predictMember / predictWithValue, so the results are identical.
    const outlooks = new Map<string, PurchaseOutlook>();
    const gg = gammaGamma?.used ? gammaGamma : null;
    for (const c of customers) {
      const s = c.summary!;
      try {
        const key = `${s.x}|${s.tx}|${s.T}`;
        let o = outlooks.get(key);
        if (!o) outlooks.set(key, (o = purchaseOutlook(bgnbd, s.x, s.tx, s.T, options)));
        const value = gg ? expectedAverageValue(gg, s.x, s.x > 0 ? Math.max(s.m, 0) : 0) : observedMeanSpendMinor;
        const p: MemberPrediction = { expectedPurchases: o.expectedPurchases, pAlive: o.pAlive, expectedAverageValue: value, clv: o.discountedPurchases * value };
        if ([p.clv, p.expectedPurchases, p.pAlive, p.expectedAverageValue].every(Number.isFinite)) c.prediction = p;
        else failed++;
      } catch {
        failed++;
      }
    }
    if (failed > 0) warnings.push({ code: "PREDICTION_FAILED", message: `no finite prediction for ${failed} member(s): they are left out of the distribution` });
  }
  const predicted = customers.filter((c) => c.prediction !== null);
  const distribution = clvDistribution(predicted.map((c) => c.prediction!.clv));
  const top = topMembers(
    predicted.map((c) => ({ memberId: c.memberId, clv: c.prediction!.clv, c })),
    TOP_MEMBERS,
  ).map(({ memberId, c }) => ({ memberId, predictedClvMinor: c.prediction!.clv, expectedPurchases: c.prediction!.expectedPurchases, pAlive: c.prediction!.pAlive }));

  const snapshot: ClvSnapshot = {
    tenantId: input.tenantId,
    asOf: input.asOf,
    timeZone: input.timeZone,
    currency: input.currency,
    paramsKey: input.paramsKey,
    timeUnit: params.timeUnit,
    horizonMonths: params.horizonMonths,
    monthlyDiscountRate: params.monthlyDiscountRate,
    members: overall.members,
    customers: customers.length,
    parameters: { bgnbd, gammaGamma, spendModel, observedMeanSpendMinor },
    distribution,
    top,
    historical: { overall: withAverage(overall), byCohort: averages(byCohort), byChannel: averages(byChannel), byTier: averages(byTier) },
    warnings,
    computedAt: input.computedAt,
  };
  return { snapshot, members: results };
}

/** Population mean spend of a usable Gamma-Gamma fit, pγ/(q−1); the observed mean otherwise. */
export function populationSpendMinor(snapshot: Pick<ClvSnapshot, "parameters">): number {
  const gg = snapshot.parameters.gammaGamma;
  return gg?.used ? populationMeanValue(gg) : snapshot.parameters.observedMeanSpendMinor;
}

/**
 * Predictive CLV of one member from the two fitted models: BG/NBD for how many purchases
 * (and P(alive)), Gamma-Gamma for what each is worth, discounted month by month over the
 * horizon, as in Fader, Hardie & Lee (2005, JMR "RFM and CLV") where the two sub-models are
 * combined under the assumption that spend is independent of the transaction process.
 */
import { conditionalExpectedTransactions, pAlive, type BgnbdParams } from "./bgnbd.js";
import { expectedAverageValue, type GammaGammaParams } from "./gammagamma.js";
import { DAYS_PER_MONTH, DAYS_PER_UNIT, type RfmSummary, type TimeUnit } from "./summary.js";

export interface ClvOptions {
  /** Whole months ahead of the as-of date (default 12). A month is 30.4375 days (365.25/12). */
  horizonMonths?: number;
  /** Discount rate per month (default 0.01). */
  monthlyDiscountRate?: number;
}

export interface MemberPrediction {
  /** Expected repeat purchases over the horizon, E[Y(horizon) | x, t_x, T]. */
  expectedPurchases: number;
  pAlive: number;
  /** Expected value of each future purchase, E[M | x, m̄] (minor units). */
  expectedAverageValue: number;
  /** Σ_k E[ΔY_k] · E[M] / (1+d)^k over the horizon's months (minor units). */
  clv: number;
}

type MemberInput = Pick<RfmSummary, "x" | "tx" | "T" | "m"> & { timeUnit?: TimeUnit };
type BgShape = Pick<BgnbdParams, "r" | "alpha" | "a" | "b" | "timeUnit">;
type GgShape = Pick<GammaGammaParams, "p" | "q" | "gamma">;

/**
 * Month ends k = 1..H expressed in the model's time unit. With the default 12 months and
 * weeks this ends at 365.25/7 = 52.18 weeks: the horizon is calendar time, not 52 weeks.
 */
export function monthEnds(horizonMonths: number, timeUnit: TimeUnit): number[] {
  if (!(Number.isInteger(horizonMonths) && horizonMonths >= 1)) throw new RangeError(`horizonMonths must be a positive integer (got ${horizonMonths})`);
  const perMonth = DAYS_PER_MONTH / DAYS_PER_UNIT[timeUnit];
  return Array.from({ length: horizonMonths }, (_, k) => (k + 1) * perMonth);
}

/**
 * Purchases of month k are E[Y(t_k)] − E[Y(t_{k−1})] (differences of FHL eq. (10) at
 * successive month ends) and are discounted as if made at the month's end, 1/(1+d)^k.
 * Spend per purchase is E[M | x, m̄]; a member whose repeat purchases net to ≤ 0 (refunds)
 * is given m̄ = 0, i.e. the Gamma-Gamma prior shrunk by x, since the model has no negative spend.
 */
export function predictMember(bg: BgShape, gg: GgShape, member: MemberInput, options: ClvOptions = {}): MemberPrediction {
  if (member.timeUnit !== undefined && member.timeUnit !== bg.timeUnit) {
    throw new RangeError(`summary in ${member.timeUnit} but model in ${bg.timeUnit}`);
  }
  const { x, tx, T } = member;
  const value = expectedAverageValue(gg, x, x > 0 ? Math.max(member.m, 0) : 0);
  const outlook = purchaseOutlook(bg, x, tx, T, options);
  return { expectedPurchases: outlook.expectedPurchases, pAlive: outlook.pAlive, expectedAverageValue: value, clv: outlook.discountedPurchases * value };
}

/** The BG/NBD half of a prediction: what depends on (x, t_x, T) only, not on spend. */
export interface PurchaseOutlook {
  /** Σ_k E[ΔY_k] / (1+d)^k over the horizon's months. */
  discountedPurchases: number;
  expectedPurchases: number;
  pAlive: number;
}

/**
 * Expected purchases month by month, discounted, and P(alive), for one (x, t_x, T). Members
 * with the same triple (every one-time buyer of a day, say) share it, so a caller predicting
 * many members can compute it once per triple: it is ~13 hypergeometric evaluations.
 */
export function purchaseOutlook(bg: BgShape, x: number, tx: number, T: number, options: ClvOptions = {}): PurchaseOutlook {
  const { horizonMonths = 12, monthlyDiscountRate = 0.01 } = options;
  if (!(monthlyDiscountRate >= 0)) throw new RangeError(`monthlyDiscountRate must be ≥ 0 (got ${monthlyDiscountRate})`);
  let previous = 0;
  let discountedPurchases = 0;
  monthEnds(horizonMonths, bg.timeUnit).forEach((t, i) => {
    const cumulative = conditionalExpectedTransactions(bg, t, x, tx, T);
    discountedPurchases += (cumulative - previous) / Math.pow(1 + monthlyDiscountRate, i + 1);
    previous = cumulative;
  });
  return { discountedPurchases, expectedPurchases: previous, pAlive: pAlive(bg, x, tx, T) };
}

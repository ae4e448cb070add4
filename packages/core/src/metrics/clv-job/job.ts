import { defineJob } from "../../jobs/job.js";
import { computeClv, type ClvRun } from "./compute.js";
import { addItem, decodePartial, encodePartial, mergePartials, type ClvPartial } from "./partial.js";
import { CLV_TIME_UNITS, clvParamsKey, DEFAULT_CLV_PARAMS, MAX_HORIZON_MONTHS, parseClvParams, type ClvParams } from "./params.js";
import { writeClvRun } from "./store.js";

/**
 * Predictive CLV as a job (registry name `predictive-clv`, GraphQL `PREDICTIVE_CLV`).
 *
 * Reads MEMBER and ORDER items once. Partial: per member, its net order amount per local day
 * (tenant's zone) up to the as-of date and the facts of its MEMBER item; merging adds the day
 * amounts (exact). Finish (`computeClv`): RFM summaries (same-day orders are one transaction,
 * x = repeat transactions), BG/NBD over every member with an order, Gamma-Gamma over repeat
 * buyers with a positive mean (the observed mean spend when it cannot be used: q ≤ 1, no
 * convergence, no data), per-member predictions over the horizon, historical CLV (net revenue)
 * and R ÷ M averages overall, by join month, channel and tier. Write: each member's CLV item in
 * its partition (BatchWriteItem), the snapshot and the `LATEST` pointer.
 *
 * Who counts: ACTIVE and ERASED members who joined by the as-of date. MERGED duplicates are left
 * out (their orders moved to the survivor); orders whose member has no MEMBER item are ignored.
 * Orders are net of refunds, whenever the refund was recorded (the order item holds the refunded
 * total); a fully refunded order still makes its day a transaction of value 0.
 */
export const clvJob = defineJob<ClvPartial, ClvRun, ClvParams>({
  name: "predictive-clv",
  description: "Historical and predictive CLV: BG/NBD + Gamma-Gamma fitted on members' orders, per-member predictions, deciles, top members, R ÷ M by cohort, channel and tier.",
  kinds: ["MEMBER", "ORDER"],
  projection: ["memberId", "status", "joinedAt", "grossSpendMinor", "refundedMinor", "orderCount", "sourceChannel", "tier", "occurredAt", "amountMinor"],
  options: {
    unit: { description: "Time unit of the model (recency, age, α)", values: CLV_TIME_UNITS },
    horizon: { description: `CLV horizon in whole months (1-${MAX_HORIZON_MONTHS})` },
    discount: { description: "Discount rate per month (0.01 = 1%)" },
  },
  variants: [{ unit: DEFAULT_CLV_PARAMS.timeUnit, horizon: String(DEFAULT_CLV_PARAMS.horizonMonths), discount: String(DEFAULT_CLV_PARAMS.monthlyDiscountRate) }],
  parseParams: parseClvParams,
  paramsKey: clvParamsKey,

  init: () => new Map(),
  add: addItem,
  merge: mergePartials,
  encode: encodePartial,
  decode: decodePartial,

  finish: (merged, ctx) =>
    computeClv(merged, {
      tenantId: ctx.tenantId,
      asOf: ctx.asOf,
      timeZone: ctx.settings.timeZone,
      currency: ctx.settings.currency,
      paramsKey: clvParamsKey(ctx.params),
      params: ctx.params,
      computedAt: new Date().toISOString(),
    }),

  async write(run) {
    await writeClvRun(run);
  },

  summarize: ({ snapshot: s }) => {
    const bg = s.parameters.bgnbd;
    const model = bg ? `r=${bg.r.toFixed(3)} α=${bg.alpha.toFixed(3)} a=${bg.a.toFixed(3)} b=${bg.b.toFixed(3)} (LL ${bg.logLikelihood.toFixed(1)}, ${s.timeUnit.toLowerCase()}s)` : "no BG/NBD fit";
    const warn = s.warnings.length > 0 ? `; warnings: ${s.warnings.map((w) => w.code).join(", ")}` : "";
    return `CLV as of ${s.asOf}: ${s.members} members, ${s.customers} customers fitted, ${model}, spend ${s.parameters.spendModel.toLowerCase().replace("_", "-")}, mean predicted ${(s.distribution.mean / 100).toFixed(2)} ${s.currency} over ${s.horizonMonths} months${warn}`;
  },
});

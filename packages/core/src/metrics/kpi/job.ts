import { defineJob } from "../../jobs/job.js";
import { computeKpis, type KpiSnapshot } from "./compute.js";
import { ALL_SCOPE } from "./metrics.js";
import { addKpiItem, decodeKpiPartial, emptyKpiPartial, encodeKpiPartial, mergeKpiPartials, PROFILE_FIELDS, type KpiPartial } from "./partial.js";
import { writeKpiSnapshot } from "./store.js";

/**
 * The daily KPI snapshot (registry name `kpi`, GraphQL `KPI`): member growth, activity,
 * 30-day retention, conversion, AOV, repurchase, historical CLV, CAC, ROI, K-factor, lifecycle
 * length, NPS, data quality and the private-domain sales factors, for the brand and per source
 * channel, as of the end of day D. One pass over MEMBER, ORDER, REFUND, EVENT and SPEND items.
 *
 * Who counts: ACTIVE and ERASED members who joined by D (erasure keeps aggregates). MERGED
 * duplicates count only in the duplicate rate (their orders and events moved to the survivor;
 * refunds recorded before the merge stay under the duplicate's id and are credited to the
 * survivor). Orders, refunds, events and spend after D are ignored, so a rerun for D gives the
 * same numbers; data quality reads the member items as they are when scanned (no profile history).
 */
export const kpiJob = defineJob<KpiPartial, KpiSnapshot>({
  name: "kpi",
  description: "Daily KPI snapshot: growth, active, retention, conversion, AOV, repurchase, CLV, CAC, ROI, K-factor, lifecycle, NPS, data quality, sales factors; overall and per channel; service metrics.",
  kinds: ["MEMBER", "ORDER", "REFUND", "EVENT", "SPEND", "TICKET", "TICKET_SURVEY"],
  projection: [
    "memberId", "status", "joinedAt", "sourceChannel", "referrerId", "mergedInto", "updatedAt", ...PROFILE_FIELDS,
    "occurredAt", "amountMinor", "channel", "campaignId", "type", "score", "date",
    // Service tickets and survey answers (service metrics).
    "createdAt", "firstResponseDueAt", "firstResponseAt", "firstResponseMs", "slaBreached", "resolvedAt", "resolutionMs", "assigneeStaffId", "answeredAt",
  ],

  init: () => emptyKpiPartial(),
  add: addKpiItem,
  merge: mergeKpiPartials,
  encode: encodeKpiPartial,
  decode: decodeKpiPartial,

  finish: (merged, ctx) =>
    computeKpis(merged, { tenantId: ctx.tenantId, asOf: ctx.asOf, timeZone: ctx.settings.timeZone, currency: ctx.settings.currency, computedAt: new Date().toISOString() }),

  write: (snapshot) => writeKpiSnapshot(snapshot),

  summarize: (s) => {
    const all = s.scopes[ALL_SCOPE]!;
    const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(1)}%`);
    const channels = Object.keys(s.scopes).length - 1;
    const plural = channels === 1 ? "" : "s";
    return `KPIs as of ${s.asOf}: ${all.MEMBERS} members, ${all.ACTIVE_MEMBERS_30D} active in 30 days, conversion ${pct(all.CONVERSION_RATE)}, ${channels} channel${plural}, ${Object.keys(all).length} metrics per scope written`;
  },
});

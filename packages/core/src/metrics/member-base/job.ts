import { defineJob } from "../../jobs/job.js";
import { computeMemberBase, type MemberBaseSnapshot } from "./compute.js";
import { addBaseItem, decodeBasePartial, emptyBasePartial, encodeBasePartial, mergeBasePartials, type BasePartial } from "./partial.js";
import { writeMemberBaseSnapshot } from "./store.js";

/**
 * Member-base analytics (用户画像; registry name `member-base`, GraphQL `MEMBER_BASE`): as of the
 * end of day D in the tenant's zone, the members broken down by gender, age band, city,
 * province, region, source channel, tier, tag and join cohort, each group with member count,
 * active share, AOV, repurchase rate and average predicted CLV; new members per day by source
 * channel and joining campaign; member and reported non-member sales per day. One pass over
 * MEMBER, ORDER, EVENT, CLV, REFERRAL and NONMEMBER_SALES items.
 *
 * Who counts: as in the KPI job, ACTIVE and ERASED members who joined by D (an erased member has
 * no profile left: UNKNOWN gender, age and city, no tags). MERGED duplicates are left out (their
 * orders and events moved to the survivor). Orders and events at or after the cutoff, and
 * non-member sales dated after D, are ignored; profiles, tiers, tags and CLV items are read as
 * they are when scanned. Definitions: docs/jobs.md "Member base".
 */
export const memberBaseJob = defineJob<BasePartial, MemberBaseSnapshot>({
  name: "member-base",
  description: "Member-base analytics: breakdowns by gender, age band, city, province, region, channel, tier, tag, join cohort; new members by channel and campaign; private-domain share of sales.",
  kinds: ["MEMBER", "ORDER", "EVENT", "CLV", "REFERRAL", "NONMEMBER_SALES"],
  projection: ["memberId", "status", "joinedAt", "gender", "birthday", "city", "sourceChannel", "tier", "tags", "occurredAt", "amountMinor", "predictedClvMinor", "asOf", "inviteeId", "campaignId", "date"],
  init: () => emptyBasePartial(),
  add: addBaseItem,
  merge: mergeBasePartials,
  encode: encodeBasePartial,
  decode: decodeBasePartial,
  finish: (merged, ctx) =>
    computeMemberBase(merged, { tenantId: ctx.tenantId, asOf: ctx.asOf, timeZone: ctx.settings.timeZone, currency: ctx.settings.currency, computedAt: new Date().toISOString() }),
  write: (snapshot) => writeMemberBaseSnapshot(snapshot),
  summarize: (s) => {
    const cities = s.dimensions.CITY.length;
    const reported = s.sales.filter((d) => d.nonMemberReports > 0).length;
    const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
    return `member base as of ${s.asOf}: ${n(s.members, "member")}, ${n(cities, "city", "cities")}, ${n(s.dimensions.TAG.length, "tag group")}, ${n(s.traffic.length, "join day")}, ${n(reported, "day")} of non-member sales`;
  },
});

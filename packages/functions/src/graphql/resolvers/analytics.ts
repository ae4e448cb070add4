import {
  getMemberBaseBreakdown,
  getSalesShare,
  getTrafficSources,
  listNonMemberSales,
  reportNonMemberSales,
  type Granularity,
  type MemberBaseDimension,
  type MemberBaseGroup,
  type NonMemberSales,
  type SalesSharePeriod,
  type TrafficPeriod,
} from "@growth/core/metrics/member-base";
import { DEFAULT_MIN_GROUP_SIZE, suppress } from "@growth/core/partner";
import { getSettings } from "@growth/core/tenant";
import type { Context } from "../context.js";
import { boundStaffId } from "../member-scope.js";
import { canSeePersonalData, definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { dateText } from "./metrics.js";

/**
 * Member-base analytics (用户画像): thin reads of the `member-base` job's snapshot items (one
 * GetItem or Limit-1 Query each, never a scan) and the non-member sales reports.
 *
 * Suppression: groups with fewer than DEFAULT_MIN_GROUP_SIZE (10, the partner constant) members
 * are shown as `suppressed` with null figures to callers who may not see personal data (ANALYST);
 * in CITY and TAG, whose keys are free text, such groups are left out (counted in
 * `omittedGroups`). ADMIN and OPERATOR see every group. Partner credentials get no field here
 * (none has `partner: true`): member-base analytics describe the brand's own members.
 */
definePermissions({
  "Query.memberBaseBreakdown": { roles: READ, doc: "Read the member base broken down by a dimension (groups under 10 suppressed for analysts)." },
  "Query.trafficSources": { roles: READ, doc: "Read new members per period by source channel and joining campaign (aggregates only)." },
  "Query.privateDomainSalesShare": { roles: READ, doc: "Read member sales ÷ member + non-member sales per period (aggregates only)." },
  "Query.nonMemberSales": { roles: READ, doc: "List reported non-member sales by date." },
  "Mutation.reportNonMemberSales": { roles: OPERATE, doc: "Report a day's non-member sales (replaces that day and channel's report)." },
});

interface DayRangeArg {
  from: Date | string;
  to: Date | string;
}
const rangeText = (r: DayRangeArg) => ({ from: dateText(r.from)!, to: dateText(r.to)! });

/** Dimensions whose keys are free text: a suppressed group's key is not shown either. */
const FREE_TEXT: ReadonlySet<MemberBaseDimension> = new Set(["CITY", "TAG"]);

function groupView(g: MemberBaseGroup, currency: string, hide: boolean) {
  if (hide && suppress(g.members, DEFAULT_MIN_GROUP_SIZE).suppressed) {
    return { key: g.key, suppressed: true, members: null, activeMembers: null, activeShare: null, payingMembers: null, orders: null, revenue: null, aov: null, repurchaseRate: null, clvMembers: null, averageClv: null };
  }
  const m = (minor: number | null) => (minor === null ? null : money(minor, currency));
  return {
    key: g.key,
    suppressed: false,
    members: g.members,
    activeMembers: g.activeMembers,
    activeShare: g.activeShare,
    payingMembers: g.payingMembers,
    orders: g.orders,
    revenue: m(g.revenueMinor),
    aov: m(g.aovMinor),
    repurchaseRate: g.repurchaseRate,
    clvMembers: g.clvMembers,
    averageClv: m(g.averageClvMinor),
  };
}

const trafficView = (p: TrafficPeriod) => ({
  ...p,
  channels: p.channels.map((c) => ({ channel: c.key, members: c.members })),
  campaigns: p.campaigns.map((c) => ({ campaignId: c.key, members: c.members })),
});

const shareView = (p: SalesSharePeriod, currency: string) => ({
  start: p.start,
  end: p.end,
  memberSales: money(p.memberSalesMinor, currency),
  nonMemberSales: money(p.nonMemberSalesMinor, currency),
  totalSales: money(p.totalSalesMinor, currency),
  reportedDays: p.reportedDays,
  share: p.share,
});

const salesView = (s: NonMemberSales, currency: string) => ({ date: s.date, channel: s.channel, amount: money(s.amountMinor, currency), note: s.note ?? null, reportedAt: s.reportedAt });

export const analyticsResolvers: Resolvers = {
  Query: {
    memberBaseBreakdown: async (_: unknown, a: { dimension: MemberBaseDimension; asOf?: Date | null }, ctx: Context) => {
      const b = await getMemberBaseBreakdown(ctx.tenantId, a.dimension, dateText(a.asOf));
      if (!b) return null;
      // A staff-bound operator sees its own members in full, the brand's groups only as an analyst does.
      const hide = !canSeePersonalData(ctx.principal) || boundStaffId(ctx.principal) !== undefined;
      const views = b.groups.map((g) => groupView(g, b.currency, hide));
      const groups = hide && FREE_TEXT.has(a.dimension) ? views.filter((g) => !g.suppressed) : views;
      return {
        dimension: b.dimension,
        asOf: b.asOf,
        computedAt: b.computedAt,
        members: b.members,
        clvAsOf: b.clvAsOf,
        minGroupSize: DEFAULT_MIN_GROUP_SIZE,
        suppressionApplied: hide,
        omittedGroups: views.length - groups.length,
        groups,
      };
    },
    trafficSources: async (_: unknown, a: { range: DayRangeArg; granularity: Granularity; asOf?: Date | null }, ctx: Context) => {
      const t = await getTrafficSources(ctx.tenantId, rangeText(a.range), a.granularity, dateText(a.asOf));
      return t ? { ...t, periods: t.periods.map(trafficView), totals: trafficView(t.totals) } : null;
    },
    privateDomainSalesShare: async (_: unknown, a: { range: DayRangeArg; granularity: Granularity; asOf?: Date | null }, ctx: Context) => {
      const s = await getSalesShare(ctx.tenantId, rangeText(a.range), a.granularity, dateText(a.asOf));
      return s ? { asOf: s.asOf, computedAt: s.computedAt, granularity: s.granularity, periods: s.periods.map((p) => shareView(p, s.currency)), totals: shareView(s.totals, s.currency) } : null;
    },
    nonMemberSales: async (_: unknown, a: { range: DayRangeArg }, ctx: Context) => {
      const [list, settings] = await Promise.all([listNonMemberSales(ctx.tenantId, rangeText(a.range)), getSettings(ctx.tenantId)]);
      return list.map((s) => salesView(s, settings.currency));
    },
  },
  Mutation: {
    reportNonMemberSales: async (_: unknown, { input }: { input: { date: Date | string; channel?: string | null; amount: number; note?: string | null } }, ctx: Context) => {
      const [{ sales, previousAmountMinor }, settings] = await Promise.all([reportNonMemberSales(ctx.tenantId, { ...input, date: dateText(input.date)! }), getSettings(ctx.tenantId)]);
      return { sales: salesView(sales, settings.currency), previousAmount: previousAmountMinor === null ? null : money(previousAmountMinor, settings.currency) };
    },
  },
};

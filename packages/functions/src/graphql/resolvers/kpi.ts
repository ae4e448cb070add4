import { ALL_SCOPE, getKpiSeries, getKpiSnapshot, KPI_METRIC_NAMES, KPI_METRICS, type KpiMetric, type KpiSnapshot, type KpiValues } from "@growth/core/metrics/kpi";
import { ValidationError, toMajor } from "@growth/core/shared";
import { listMarketingSpend, recordMarketingSpend, type MarketingSpend, type MarketingSpendInput } from "@growth/core/spend";
import { getSettings } from "@growth/core/tenant";
import type { Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { dateText } from "./metrics.js";

definePermissions({
  "Query.metricsOverview": { roles: READ, doc: "Read the KPI overview of a daily snapshot (aggregates only)." },
  "Query.metricsSeries": { roles: READ, doc: "Read one KPI per day over a range (aggregates only)." },
  "Query.marketingSpend": { roles: READ, doc: "List recorded marketing spend entries by date." },
  "Mutation.recordMarketingSpend": { roles: OPERATE, doc: "Record marketing spend for CAC and ROI (idempotent by id)." },
});

/** Which metric each field of the overview's groups shows (the SDL types of the same names). */
const GROUPS = {
  growth: { members: "MEMBERS", newOnDay: "NEW_MEMBERS_1D", new7Days: "NEW_MEMBERS_7D", new30Days: "NEW_MEMBERS_30D" },
  activity: { activeOnDay: "ACTIVE_MEMBERS_1D", active7Days: "ACTIVE_MEMBERS_7D", active30Days: "ACTIVE_MEMBERS_30D", lifecycleDays: "LIFECYCLE_DAYS" },
  retention: { base: "RETENTION_BASE_30D", retained: "RETAINED_MEMBERS_30D", rate: "RETENTION_RATE_30D" },
  conversion: { payingMembers: "PAYING_MEMBERS", rate: "CONVERSION_RATE" },
  orders: {
    orders30Days: "ORDERS_30D", revenue30Days: "REVENUE_30D", aov30Days: "AOV_30D", buyers30Days: "BUYERS_30D", repeatBuyers30Days: "REPEAT_BUYERS_30D",
    repurchaseRate30Days: "REPURCHASE_RATE_30D", orders: "ORDERS", revenue: "REVENUE", aov: "AOV", repurchaseRate: "REPURCHASE_RATE",
  },
  value: { refunds: "REFUNDS", netRevenue: "NET_REVENUE", historicalClv: "HISTORICAL_CLV" },
  acquisition: { spend30Days: "SPEND_30D", cac30Days: "CAC_30D", spend: "SPEND", cac: "CAC", campaignSpend: "CAMPAIGN_SPEND", attributedRevenue: "ATTRIBUTED_REVENUE", roi: "ROI" },
  referral: { referred30Days: "REFERRED_MEMBERS_30D", referrers30Days: "REFERRERS_30D", kFactor30Days: "K_FACTOR_30D" },
  nps: { responses30Days: "NPS_RESPONSES_30D", nps30Days: "NPS_30D", responses: "NPS_RESPONSES", nps: "NPS" },
  dataQuality: { profileCompleteness: "PROFILE_COMPLETENESS", duplicateRate: "DUPLICATE_RATE", freshnessDays: "FRESHNESS_DAYS" },
  sales: { retainedMembers: "RETAINED_MEMBERS_30D", fissionRate: "K_FACTOR_30D", conversionRate: "CONVERSION_RATE", aov: "AOV_30D", repurchaseRate: "REPURCHASE_RATE_30D", sales: "PRIVATE_DOMAIN_SALES" },
} as const satisfies Record<string, Record<string, KpiMetric>>;

const isMoney = (metric: KpiMetric) => KPI_METRICS[metric] === "MONEY";
const moneyOrNull = (minor: number | null, currency: string) => (minor === null ? null : money(minor, currency));
/** A value as GraphQL shows it: Money for money fields of the groups, major units in plain numbers. */
const plain = (metric: KpiMetric, v: number | null) => (v !== null && isMoney(metric) ? toMajor(v) : v);

function scopeView(values: KpiValues, channel: string | null, s: KpiSnapshot) {
  const groups = Object.fromEntries(
    Object.entries(GROUPS).map(([group, fields]) => [
      group,
      Object.fromEntries(Object.entries(fields).map(([field, metric]) => [field, isMoney(metric) ? moneyOrNull(values[metric], s.currency) : values[metric]])),
    ]),
  );
  const list = KPI_METRIC_NAMES.map((metric) => ({ metric, unit: KPI_METRICS[metric], value: plain(metric, values[metric]), computedAt: s.computedAt }));
  return { channel, computedAt: s.computedAt, ...groups, values: list };
}

function overviewView(s: KpiSnapshot) {
  const m = (minor: number | null) => moneyOrNull(minor, s.currency);
  return {
    asOf: s.asOf,
    computedAt: s.computedAt,
    timeZone: s.timeZone,
    overall: scopeView(s.scopes[ALL_SCOPE]!, null, s),
    channels: Object.entries(s.scopes).filter(([k]) => k !== ALL_SCOPE).map(([channel, v]) => scopeView(v, channel, s)),
    orderChannels: s.orderChannels.map((o) => ({ channel: o.channel, orders30Days: o.orders30, revenue30Days: m(o.revenue30Minor), aov30Days: m(o.aov30Minor), orders: o.orders, revenue: m(o.revenueMinor), aov: m(o.aovMinor) })),
    campaigns: s.campaigns.map((c) => ({ campaignId: c.campaignId, spend: m(c.spendMinor), orders: c.orders, attributedRevenue: m(c.attributedRevenueMinor), roi: c.roi })),
    // Shown by MetricsOverview.service (resolvers/service.ts).
    service: s.service ?? null,
  };
}

interface DayRangeArg {
  from: Date | string;
  to: Date | string;
}
const rangeText = (r: DayRangeArg) => ({ from: dateText(r.from)!, to: dateText(r.to)! });

const spendView = (s: MarketingSpend, currency: string) => ({ ...s, id: s.spendId, campaignId: s.campaignId ?? null, note: s.note ?? null, amount: money(s.amountMinor, currency) });

export const kpiResolvers: Resolvers = {
  Query: {
    metricsOverview: async (_: unknown, a: { range?: DayRangeArg | null; asOf?: Date | null }, ctx: Context) => {
      if (a.range && a.asOf) throw new ValidationError("give either range or asOf, not both", "asOf");
      const snapshot = await getKpiSnapshot(ctx.tenantId, { asOf: dateText(a.asOf), range: a.range ? rangeText(a.range) : null });
      return snapshot ? overviewView(snapshot) : null;
    },
    metricsSeries: async (_: unknown, a: { metric: KpiMetric; range: DayRangeArg; channel?: string | null }, ctx: Context) => {
      const points = await getKpiSeries(ctx.tenantId, a.metric, rangeText(a.range), a.channel ?? ALL_SCOPE);
      return { metric: a.metric, unit: KPI_METRICS[a.metric], channel: a.channel ?? null, points: points.map((p) => ({ ...p, value: plain(a.metric, p.value) })) };
    },
    marketingSpend: async (_: unknown, a: { range: DayRangeArg }, ctx: Context) => {
      const [list, settings] = await Promise.all([listMarketingSpend(ctx.tenantId, rangeText(a.range)), getSettings(ctx.tenantId)]);
      return list.map((s) => spendView(s, settings.currency));
    },
  },
  Mutation: {
    recordMarketingSpend: async (_: unknown, { input }: { input: Omit<MarketingSpendInput, "spendId" | "date"> & { id: string; date: Date | string } }, ctx: Context) => {
      const { id, date, ...rest } = input;
      const [{ spend, duplicate }, settings] = await Promise.all([recordMarketingSpend(ctx.tenantId, { ...rest, spendId: id, date: dateText(date)! }), getSettings(ctx.tenantId)]);
      return { spend: spendView(spend, settings.currency), duplicate };
    },
  },
};

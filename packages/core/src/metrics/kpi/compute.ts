import { asOfCutoff } from "../../jobs/periods.js";
import { computeServiceMetrics, type ServiceMetrics } from "../../service/metrics.js";
import { dayNumberOf, dayText } from "../clv-job/local-days.js";
import { ALL_SCOPE, type KpiValues } from "./metrics.js";
import { PROFILE_FIELDS, W_30, W_7, W_DAY, W_PREV30, type KpiMemberState, type KpiPartial, type MemberFacts } from "./partial.js";

/**
 * The snapshot from the merged partial: pure (members visited in id order, so the floating-point
 * sums are the same whatever the segment count). Formulas are in docs/jobs.md ("KPI snapshot").
 */
export interface KpiOrderChannel {
  channel: string;
  orders30: number;
  revenue30Minor: number;
  aov30Minor: number | null;
  orders: number;
  revenueMinor: number;
  aovMinor: number | null;
}

export interface KpiCampaign {
  campaignId: string;
  spendMinor: number;
  orders: number;
  attributedRevenueMinor: number;
  /** (attributed − spend) ÷ spend; null without spend. */
  roi: number | null;
}

export interface KpiSnapshot {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  computedAt: string;
  /** `ALL` and every source channel with members or spend, in that order (channels sorted). */
  scopes: Record<string, KpiValues>;
  orderChannels: KpiOrderChannel[];
  campaigns: KpiCampaign[];
  /**
   * Service metrics of the tickets opened and surveys answered in D−29..D, in their state at the
   * end of D (docs/service.md); absent from snapshots computed before they existed.
   */
  service?: ServiceMetrics;
}

/** Counting state for one scope (the brand, or one source channel). */
interface Acc {
  members: number;
  newBy: [number, number, number];
  activeBy: [number, number, number];
  base: number;
  retained: number;
  paying: number;
  repeat: number;
  orders30: number;
  gross30: number;
  buyers30: number;
  repeat30: number;
  orders: number;
  gross: number;
  refunds: number;
  referred30: number;
  referrers30: Set<string>;
  lifeMembers: number;
  lifeDays: number;
  survey: number[];
  profileMembers: number;
  profileFilled: number;
  freshDays: number;
  merged: number;
  spend30: number;
  spend: number;
  campaignSpend: number;
  attributed: number;
}

const newAcc = (): Acc => ({
  members: 0, newBy: [0, 0, 0], activeBy: [0, 0, 0], base: 0, retained: 0, paying: 0, repeat: 0, orders30: 0, gross30: 0, buyers30: 0, repeat30: 0,
  orders: 0, gross: 0, refunds: 0, referred30: 0, referrers30: new Set(), lifeMembers: 0, lifeDays: 0, survey: [0, 0, 0, 0, 0, 0],
  profileMembers: 0, profileFilled: 0, freshDays: 0, merged: 0, spend30: 0, spend: 0, campaignSpend: 0, attributed: 0,
});

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
/** Money derived by division, rounded to the minor unit. */
const perMinor = (a: number, b: number): number | null => (b === 0 ? null : Math.round(a / b));
const nps = (responses: number, promoters: number, detractors: number) => (responses === 0 ? null : (100 * (promoters - detractors)) / responses);

/** The survivor of a merged member (following a chain of merges, at most 20 hops). */
function survivorOf(members: Map<string, KpiMemberState>, id: string): string {
  let current = id;
  for (let hops = 0; hops < 20; hops++) {
    const into = members.get(current)?.facts?.mergedInto;
    if (!into || members.get(current)?.facts?.status !== "M") return current;
    current = into;
  }
  return current;
}

function countMember(acc: Acc, f: MemberFacts, s: KpiMemberState, refunds: number, asOfDay: number): void {
  acc.members++;
  const age = asOfDay - f.joinDay;
  [age === 0, age < 7, age < 30].forEach((hit, i) => hit && acc.newBy[i]!++);
  [W_DAY, W_7, W_30].forEach((bit, i) => s.windows & bit && acc.activeBy[i]!++);
  if (s.windows & W_PREV30) {
    acc.base++;
    if (s.windows & W_30) acc.retained++;
  }
  if (s.orders >= 1) acc.paying++;
  if (s.orders >= 2) acc.repeat++;
  acc.orders30 += s.orders30;
  acc.gross30 += s.gross30;
  if (s.orders30 >= 1) acc.buyers30++;
  if (s.orders30 >= 2) acc.repeat30++;
  acc.orders += s.orders;
  acc.gross += s.gross;
  acc.refunds += refunds;
  if (f.referrerId && age < 30) {
    acc.referred30++;
    acc.referrers30.add(f.referrerId);
  }
  if (s.first !== null && s.last !== null) {
    acc.lifeMembers++;
    acc.lifeDays += s.last - s.first;
  }
  s.survey.forEach((v, i) => (acc.survey[i]! += v));
  // Erased members keep their aggregates but have no profile left to be complete or fresh.
  if (f.status === "A") {
    acc.profileMembers++;
    acc.profileFilled += f.profile;
    acc.freshDays += Math.max(0, asOfDay - f.updatedDay);
  }
}

function values(a: Acc): KpiValues {
  const aov30 = perMinor(a.gross30, a.orders30);
  const conversion = ratio(a.paying, a.members);
  const repurchase30 = ratio(a.repeat30, a.buyers30);
  const k = ratio(a.referred30, a.referrers30.size);
  const factors = [a.retained, k, conversion, aov30, repurchase30];
  const net = a.gross - a.refunds;
  return {
    MEMBERS: a.members,
    NEW_MEMBERS_1D: a.newBy[0],
    NEW_MEMBERS_7D: a.newBy[1],
    NEW_MEMBERS_30D: a.newBy[2],
    ACTIVE_MEMBERS_1D: a.activeBy[0],
    ACTIVE_MEMBERS_7D: a.activeBy[1],
    ACTIVE_MEMBERS_30D: a.activeBy[2],
    RETENTION_BASE_30D: a.base,
    RETAINED_MEMBERS_30D: a.retained,
    RETENTION_RATE_30D: ratio(a.retained, a.base),
    PAYING_MEMBERS: a.paying,
    CONVERSION_RATE: conversion,
    ORDERS_30D: a.orders30,
    REVENUE_30D: a.gross30,
    AOV_30D: aov30,
    BUYERS_30D: a.buyers30,
    REPEAT_BUYERS_30D: a.repeat30,
    REPURCHASE_RATE_30D: repurchase30,
    ORDERS: a.orders,
    REVENUE: a.gross,
    AOV: perMinor(a.gross, a.orders),
    REPURCHASE_RATE: ratio(a.repeat, a.paying),
    REFUNDS: a.refunds,
    NET_REVENUE: net,
    HISTORICAL_CLV: perMinor(net, a.members),
    SPEND_30D: a.spend30,
    CAC_30D: perMinor(a.spend30, a.newBy[2]),
    SPEND: a.spend,
    CAC: perMinor(a.spend, a.members),
    CAMPAIGN_SPEND: a.campaignSpend,
    ATTRIBUTED_REVENUE: Math.round(a.attributed),
    ROI: a.campaignSpend === 0 ? null : (a.attributed - a.campaignSpend) / a.campaignSpend,
    REFERRED_MEMBERS_30D: a.referred30,
    REFERRERS_30D: a.referrers30.size,
    K_FACTOR_30D: k,
    LIFECYCLE_DAYS: ratio(a.lifeDays, a.lifeMembers),
    NPS_RESPONSES_30D: a.survey[0]!,
    NPS_30D: nps(a.survey[0]!, a.survey[1]!, a.survey[2]!),
    NPS_RESPONSES: a.survey[3]!,
    NPS: nps(a.survey[3]!, a.survey[4]!, a.survey[5]!),
    PROFILE_COMPLETENESS: ratio(a.profileFilled, a.profileMembers * PROFILE_FIELDS.length),
    DUPLICATE_RATE: ratio(a.merged, a.members + a.merged),
    FRESHNESS_DAYS: ratio(a.freshDays, a.profileMembers),
    PRIVATE_DOMAIN_SALES: factors.some((f) => f === null) ? null : Math.round((factors as number[]).reduce((p, f) => p * f, 1)),
  };
}

export interface KpiRunInfo {
  tenantId: string;
  asOf: string;
  timeZone: string;
  currency: string;
  computedAt: string;
}

export function computeKpis(partial: KpiPartial, info: KpiRunInfo): KpiSnapshot {
  const asOfDay = dayNumberOf(info.asOf);
  const accs = new Map<string, Acc>([[ALL_SCOPE, newAcc()]]);
  const accOf = (channel: string) => {
    let acc = accs.get(channel);
    if (!acc) accs.set(channel, (acc = newAcc()));
    return acc;
  };
  // Refunds stay under the member id they were recorded for; a merged duplicate's go to its survivor.
  const refunds = new Map<string, number>();
  for (const [id, s] of partial.members) if (s.refunds) refunds.set(survivorOf(partial.members, id), (refunds.get(survivorOf(partial.members, id)) ?? 0) + s.refunds);

  const ids = [...partial.members.keys()].sort();
  for (const id of ids) {
    const s = partial.members.get(id)!;
    const f = s.facts;
    // Orders and events of an id without a MEMBER item, and members who joined after D, are left out.
    if (!f || f.joinDay > asOfDay) continue;
    const scopes = [accs.get(ALL_SCOPE)!, accOf(f.channel)];
    if (f.status === "M") for (const acc of scopes) acc.merged++;
    else for (const acc of scopes) countMember(acc, f, s, refunds.get(id) ?? 0, asOfDay);
  }

  // Spend: by channel; campaign spend and attributed revenue split over channels by each campaign's spend share.
  const campaignSpend = new Map<string, number>();
  for (const [key, [, all]] of partial.spend) {
    const campaign = key.split("\u0000")[1]!;
    if (campaign) campaignSpend.set(campaign, (campaignSpend.get(campaign) ?? 0) + all);
  }
  for (const key of [...partial.spend.keys()].sort()) {
    const [channel, campaign] = key.split("\u0000") as [string, string];
    const [in30, all] = partial.spend.get(key)!;
    const revenue = campaign ? (partial.campaigns.get(campaign)?.[3] ?? 0) : 0;
    for (const acc of [accs.get(ALL_SCOPE)!, accOf(channel)]) {
      acc.spend30 += in30;
      acc.spend += all;
      if (campaign && all > 0) {
        acc.campaignSpend += all;
        acc.attributed += (revenue * all) / campaignSpend.get(campaign)!;
      }
    }
  }

  const scopes: Record<string, KpiValues> = { [ALL_SCOPE]: values(accs.get(ALL_SCOPE)!) };
  for (const channel of [...accs.keys()].filter((k) => k !== ALL_SCOPE).sort()) scopes[channel] = values(accs.get(channel)!);

  const orderChannels = [...partial.orderChannels.keys()].sort().map((channel): KpiOrderChannel => {
    const [o30, g30, o, g] = partial.orderChannels.get(channel)!;
    return { channel, orders30: o30, revenue30Minor: g30, aov30Minor: perMinor(g30, o30), orders: o, revenueMinor: g, aovMinor: perMinor(g, o) };
  });
  const campaignIds = [...new Set([...partial.campaigns.keys(), ...campaignSpend.keys()])].sort();
  const campaigns = campaignIds.map((campaignId): KpiCampaign => {
    const spend = campaignSpend.get(campaignId) ?? 0;
    const sums = partial.campaigns.get(campaignId);
    const revenue = sums?.[3] ?? 0;
    return { campaignId, spendMinor: spend, orders: sums?.[2] ?? 0, attributedRevenueMinor: revenue, roi: spend === 0 ? null : (revenue - spend) / spend };
  });
  const service = computeServiceMetrics(partial.service?.tickets ?? [], partial.service?.surveys ?? [], {
    from: dayText(asOfDay - 29),
    to: info.asOf,
    // The last millisecond of D: what happened by the end of the day (the cutoff itself is D+1).
    at: Date.parse(asOfCutoff(info.asOf, info.timeZone)) - 1,
  });
  return { ...info, scopes, orderChannels, campaigns, service };
}

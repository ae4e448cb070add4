import { gunzipSync, gzipSync } from "node:zlib";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchPut } from "../../db/batch.js";
import { documentClient, tableName } from "../../db/client.js";
import { isPeriodType, parseLocalDate, periodEndDate, periodOfDate, periodStartDate, previousDate } from "../../jobs/periods.js";
import { ValidationError } from "../../shared/errors.js";
import { dayNumberOf } from "../clv-job/local-days.js";
import type { MemberBaseGroup, MemberBaseSnapshot, SalesDayTotals, TrafficDay } from "./compute.js";
import { isMemberBaseDimension, MEMBER_BASE_DIMENSIONS, type MemberBaseDimension } from "./dimensions.js";
import { memberBaseKeys } from "./keys.js";

const DATA = "data";
const pack = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value)));
const unpack = <T>(item: Record<string, unknown>): T => JSON.parse(gunzipSync(item[DATA] as Uint8Array).toString("utf8")) as T;

/**
 * Writes the snapshot: one item per dimension, the traffic and sales item, then the summary.
 * Plain Puts keyed by (tenant, as-of day[, dimension]): a rerun overwrites the same items, only
 * `computedAt` changes. The summary goes last, so a summary that exists means its day is complete.
 */
export async function writeMemberBaseSnapshot(s: MemberBaseSnapshot): Promise<void> {
  const head = { tenantId: s.tenantId, asOf: s.asOf, computedAt: s.computedAt, timeZone: s.timeZone, currency: s.currency };
  await batchPut([
    ...MEMBER_BASE_DIMENSIONS.map((dimension) => ({ ...memberBaseKeys.dimension(s.tenantId, dimension, s.asOf), ...head, dimension, members: s.members, clvAsOf: s.clvAsOf, [DATA]: pack(s.dimensions[dimension]) })),
    { ...memberBaseKeys.traffic(s.tenantId, s.asOf), ...head, [DATA]: pack({ traffic: s.traffic, sales: s.sales }) },
  ]);
  const groups = Object.fromEntries(MEMBER_BASE_DIMENSIONS.map((d) => [d, s.dimensions[d].length]));
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...memberBaseKeys.summary(s.tenantId, s.asOf), ...head, members: s.members, clvAsOf: s.clvAsOf, groups } }));
}

/** The item of a day (GetItem) or the latest of a partition (Query descending, Limit 1). */
async function dayOrLatest(pk: string, sk: string | null | undefined): Promise<Record<string, unknown> | undefined> {
  if (sk) {
    parseLocalDate(sk, "asOf");
    return (await documentClient().send(new GetCommand({ TableName: tableName(), Key: { pk, sk } }))).Item;
  }
  const out = await documentClient().send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": pk }, ScanIndexForward: false, Limit: 1 }));
  return out.Items?.[0];
}

export interface MemberBaseBreakdown {
  dimension: MemberBaseDimension;
  asOf: string;
  computedAt: string;
  currency: string;
  members: number;
  clvAsOf: string | null;
  groups: MemberBaseGroup[];
}

/** One dimension's groups as of a day, or of the latest snapshot; null when none was computed. One read. */
export async function getMemberBaseBreakdown(tenantId: string, dimension: MemberBaseDimension, asOf?: string | null): Promise<MemberBaseBreakdown | null> {
  if (!isMemberBaseDimension(dimension)) throw new ValidationError(`unknown dimension "${String(dimension)}"`, "dimension");
  const item = await dayOrLatest(memberBaseKeys.dimensionPartition(tenantId, dimension), asOf);
  if (!item) return null;
  return {
    dimension,
    asOf: item.asOf as string,
    computedAt: item.computedAt as string,
    currency: item.currency as string,
    members: item.members as number,
    clvAsOf: (item.clvAsOf as string | null | undefined) ?? null,
    groups: unpack<MemberBaseGroup[]>(item),
  };
}

export const GRANULARITIES = ["DAY", "WEEK", "MONTH"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Longest range of a series: about three years (daily points for a year at most). */
export const MAX_RANGE_DAYS = 1100;
export const MAX_DAILY_DAYS = 366;

export interface DayRange {
  from: string;
  to: string;
}

interface Periods {
  /** Period start (YYYY-MM-DD) of each day of the range. */
  of: (day: string) => string;
  list: { start: string; end: string }[];
}

/**
 * The periods of a range: local days, ISO weeks (Monday to Sunday) or calendar months, clipped
 * to the range (the first and last may be partial; `start`/`end` say which days they cover).
 */
function periodsOf(range: DayRange, granularity: Granularity): Periods {
  parseLocalDate(range.from, "range.from");
  parseLocalDate(range.to, "range.to");
  if (range.from > range.to) throw new ValidationError("range.from must not be after range.to", "range");
  const days = dayNumberOf(range.to) - dayNumberOf(range.from) + 1;
  if (days > MAX_RANGE_DAYS) throw new ValidationError(`a range covers at most ${MAX_RANGE_DAYS} days`, "range");
  if (granularity === "DAY" && days > MAX_DAILY_DAYS) throw new ValidationError(`a daily series covers at most ${MAX_DAILY_DAYS} days`, "range");
  if (granularity === "DAY") {
    const list: { start: string; end: string }[] = [];
    for (let d = dayNumberOf(range.from); d <= dayNumberOf(range.to); d++) {
      const day = new Date(d * 86_400_000).toISOString().slice(0, 10);
      list.push({ start: day, end: day });
    }
    return { of: (day) => day, list };
  }
  if (!isPeriodType(granularity)) throw new ValidationError(`unknown granularity "${String(granularity)}"`, "granularity");
  const first = periodOfDate(range.from, granularity);
  const last = periodOfDate(range.to, granularity);
  const list: { start: string; end: string }[] = [];
  for (let p = first; p <= last; p++) {
    const start = periodStartDate(p, granularity);
    const end = previousDate(periodEndDate(p, granularity));
    list.push({ start: start < range.from ? range.from : start, end: end > range.to ? range.to : end });
  }
  const starts = new Map(list.map((p, i) => [first + i, p.start]));
  return { of: (day) => starts.get(periodOfDate(day, granularity))!, list };
}

async function trafficItem(tenantId: string, asOf?: string | null): Promise<{ asOf: string; computedAt: string; currency: string; traffic: TrafficDay[]; sales: SalesDayTotals[] } | null> {
  const item = await dayOrLatest(memberBaseKeys.trafficPartition(tenantId), asOf);
  if (!item) return null;
  return { asOf: item.asOf as string, computedAt: item.computedAt as string, currency: item.currency as string, ...unpack<{ traffic: TrafficDay[]; sales: SalesDayTotals[] }>(item) };
}

export interface CountByKey {
  key: string;
  members: number;
}

export interface TrafficPeriod {
  start: string;
  end: string;
  newMembers: number;
  channels: CountByKey[];
  campaigns: CountByKey[];
  /** New members without a joining campaign. */
  withoutCampaign: number;
}

export interface TrafficSources {
  asOf: string;
  computedAt: string;
  granularity: Granularity;
  periods: TrafficPeriod[];
  /** Over the whole range. */
  totals: TrafficPeriod;
}

const countsOf = (m: Map<string, number>): CountByKey[] => [...m.keys()].sort().map((key) => ({ key, members: m.get(key)! }));
const addTo = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

/**
 * New members per period of a range, by source channel and by joining campaign, from the
 * snapshot of `asOf` or the latest one (one read). Days after the snapshot's as-of day have no
 * members in it. Null when no snapshot was computed.
 */
export async function getTrafficSources(tenantId: string, range: DayRange, granularity: Granularity, asOf?: string | null): Promise<TrafficSources | null> {
  const periods = periodsOf(range, granularity);
  const data = await trafficItem(tenantId, asOf);
  if (!data) return null;
  const acc = new Map<string, { n: number; channels: Map<string, number>; campaigns: Map<string, number> }>();
  const fresh = () => ({ n: 0, channels: new Map<string, number>(), campaigns: new Map<string, number>() });
  const total = fresh();
  for (const day of data.traffic) {
    if (day.day < range.from || day.day > range.to) continue;
    const start = periods.of(day.day);
    let a = acc.get(start);
    if (!a) acc.set(start, (a = fresh()));
    for (const target of [a, total]) {
      target.n += day.members;
      for (const [k, n] of Object.entries(day.channels)) addTo(target.channels, k, n);
      for (const [k, n] of Object.entries(day.campaigns)) addTo(target.campaigns, k, n);
    }
  }
  const view = (start: string, end: string, a: ReturnType<typeof fresh>): TrafficPeriod => {
    const campaigns = countsOf(a.campaigns);
    return { start, end, newMembers: a.n, channels: countsOf(a.channels), campaigns, withoutCampaign: a.n - campaigns.reduce((s, c) => s + c.members, 0) };
  };
  return {
    asOf: data.asOf,
    computedAt: data.computedAt,
    granularity,
    periods: periods.list.map((p) => view(p.start, p.end, acc.get(p.start) ?? fresh())),
    totals: view(range.from, range.to, total),
  };
}

export interface SalesSharePeriod {
  start: string;
  end: string;
  memberSalesMinor: number;
  nonMemberSalesMinor: number;
  totalSalesMinor: number;
  /** Days of the period with a non-member sales report. */
  reportedDays: number;
  /** member ÷ (member + non-member); null when the period has no non-member report or no sales. */
  share: number | null;
}

export interface SalesShare {
  asOf: string;
  computedAt: string;
  currency: string;
  granularity: Granularity;
  periods: SalesSharePeriod[];
  totals: SalesSharePeriod;
}

/**
 * The private-domain share of total sales per period: member orders ÷ (member orders +
 * reported non-member sales), from the snapshot of `asOf` or the latest one (one read).
 */
export async function getSalesShare(tenantId: string, range: DayRange, granularity: Granularity, asOf?: string | null): Promise<SalesShare | null> {
  const periods = periodsOf(range, granularity);
  const data = await trafficItem(tenantId, asOf);
  if (!data) return null;
  const fresh = () => ({ member: 0, non: 0, reported: 0 });
  const acc = new Map<string, ReturnType<typeof fresh>>();
  const total = fresh();
  for (const day of data.sales) {
    if (day.day < range.from || day.day > range.to) continue;
    const start = periods.of(day.day);
    let a = acc.get(start);
    if (!a) acc.set(start, (a = fresh()));
    for (const target of [a, total]) {
      target.member += day.memberMinor;
      target.non += day.nonMemberMinor;
      if (day.nonMemberReports > 0) target.reported++;
    }
  }
  const view = (start: string, end: string, a: ReturnType<typeof fresh>): SalesSharePeriod => {
    const sum = a.member + a.non;
    return { start, end, memberSalesMinor: a.member, nonMemberSalesMinor: a.non, totalSalesMinor: sum, reportedDays: a.reported, share: a.reported === 0 || sum === 0 ? null : a.member / sum };
  };
  return {
    asOf: data.asOf,
    computedAt: data.computedAt,
    currency: data.currency,
    granularity,
    periods: periods.list.map((p) => view(p.start, p.end, acc.get(p.start) ?? fresh())),
    totals: view(range.from, range.to, total),
  };
}

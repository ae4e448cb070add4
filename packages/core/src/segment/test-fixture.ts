/**
 * Test support for segments (imported by tests only): a small brand whose expected segment
 * members are worked out by hand, and a naive evaluator that answers a rule from the raw
 * orders, events, identities and CLV items with luxon date arithmetic, independently of the
 * ACTIVITY buckets and the compiled evaluator.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DateTime } from "luxon";
import { documentClient, tableName } from "../db/client.js";
import { keys, SK } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { recordEvent } from "../event/record.js";
import type { EngagementEvent } from "../event/types.js";
import { listIdentities } from "../member/children.js";
import { createMember, type CreateMemberInput } from "../member/create.js";
import { eraseMember } from "../member/erase.js";
import { mergeMembers } from "../member/merge.js";
import { getMember } from "../member/read.js";
import type { Member } from "../member/types.js";
import { recordOrder } from "../order/record.js";
import { recordRefund } from "../order/refund.js";
import type { Order } from "../order/types.js";
import { segmentKeys } from "./keys.js";
import type { ComparisonOp, SegmentCondition, SegmentRule, SegmentValue } from "./types.js";

const actor = { actor: "segment-test" };
const DAY = 86_400_000;
const ZONE = "Asia/Shanghai";

/** Noon in Shanghai `n` local days before `now`'s local day. */
export function localNoonDaysAgo(now: number, n: number): string {
  return DateTime.fromMillis(now, { zone: ZONE }).startOf("day").minus({ days: n }).plus({ hours: 12 }).toUTC().toISO()!;
}

export const FIXTURE_NAMES = ["ann", "bob", "cat", "dan", "eve", "fay", "gus"] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/**
 * Seven members (dates relative to `now`, local noon):
 * - ann: Shanghai, F, 1995-03-10, MINI_PROGRAM, [coffee], marketing, WECHAT_OA id; orders 100 @5d,
 *   200 @30d, 50 @200d; VIEW of c1 @2d twice; CLV 800.00 / P(alive) 0.9.
 * - bob: Beijing, M, 1980-12-01, WECOM, [tea], no marketing, WECOM + APP ids; orders 80 @10d,
 *   80 @60d (fully refunded); CLICK of campaign g1 @20d; CLV 100.00 / 0.3.
 * - cat: Shanghai, F, no birthday, APP, [coffee, vip], LOYAL, marketing; order 500 @100d; SHARE @1d.
 * - dan: no city, UNKNOWN, WEB, joined 3 days ago, marketing; VIEW of c1 @95d.
 * - eve: Shanghai, F, 2000-01-01, WECHAT_OA, WECHAT_OA id; orders 30 @1d, @2d, @3d; CLV 50.00 / 0.6.
 * - fay: duplicate of eve (APP id, order 40 @4d), merged into eve.
 * - gus: Shanghai, order 999 @5d, then erased.
 * Everyone but dan joined 400 days ago.
 */
export async function buildFixture(tenantId: string, now = Date.now()): Promise<Record<FixtureName, string>> {
  const at = (n: number) => localNoonDaysAgo(now, n);
  const joined = new Date(now - 400 * DAY).toISOString();
  const base = { joinedAt: joined, marketingConsent: false };
  const specs: Record<FixtureName, CreateMemberInput> = {
    ann: { ...base, name: "Ann", city: "Shanghai", gender: "FEMALE", birthday: "1995-03-10", sourceChannel: "MINI_PROGRAM", tags: ["coffee"], marketingConsent: true, identities: [{ channel: "WECHAT_OA", externalId: `oa-ann-${tenantId}` }] },
    bob: { ...base, name: "Bob", city: "Beijing", gender: "MALE", birthday: "1980-12-01", sourceChannel: "WECOM", tags: ["tea"], identities: [{ channel: "WECOM", externalId: "wc-bob" }, { channel: "APP", externalId: "app-bob" }] },
    cat: { ...base, name: "Cat", city: "Shanghai", gender: "FEMALE", sourceChannel: "APP", tags: ["coffee", "vip"], tier: "LOYAL", marketingConsent: true },
    dan: { ...base, name: "Dan", sourceChannel: "WEB", joinedAt: new Date(now - 3 * DAY).toISOString(), marketingConsent: true },
    eve: { ...base, name: "Eve", city: "Shanghai", gender: "FEMALE", birthday: "2000-01-01", sourceChannel: "WECHAT_OA", identities: [{ channel: "WECHAT_OA", externalId: "oa-eve" }] },
    fay: { ...base, name: "Fay", sourceChannel: "APP", identities: [{ channel: "APP", externalId: "app-fay" }] },
    gus: { ...base, name: "Gus", city: "Shanghai", sourceChannel: "STORE" },
  };
  const ids = {} as Record<FixtureName, string>;
  for (const name of FIXTURE_NAMES) ids[name] = (await createMember(tenantId, specs[name], actor)).memberId;
  const order = (who: FixtureName, id: string, amount: number, daysAgo: number) =>
    recordOrder(tenantId, { orderId: id, memberId: ids[who], channel: "APP", amount, occurredAt: at(daysAgo) }, actor);
  const event = (who: FixtureName, id: string, type: string, daysAgo: number, extra: { contentId?: string; campaignId?: string } = {}) =>
    recordEvent(tenantId, { eventId: id, memberId: ids[who], type, channel: "APP", occurredAt: at(daysAgo), ...extra });
  await Promise.all([
    (async () => {
      await order("ann", "a1", 100, 5);
      await order("ann", "a2", 200, 30);
      await order("ann", "a3", 50, 200);
      await event("ann", "ae1", "VIEW", 2, { contentId: "c1" });
      await event("ann", "ae2", "VIEW", 2, { contentId: "c1" });
    })(),
    (async () => {
      await order("bob", "b1", 80, 10);
      await order("bob", "b2", 80, 60);
      await recordRefund(tenantId, { refundId: "br", orderId: "b2", amount: 80, occurredAt: at(59) }, actor);
      await event("bob", "be1", "CLICK", 20, { campaignId: "g1" });
    })(),
    (async () => {
      await order("cat", "c1", 500, 100);
      await event("cat", "ce1", "SHARE", 1);
    })(),
    event("dan", "de1", "VIEW", 95, { contentId: "c1" }),
    (async () => {
      await order("eve", "e1", 30, 1);
      await order("eve", "e2", 30, 2);
      await order("eve", "e3", 30, 3);
      await order("fay", "f1", 40, 4);
      await mergeMembers(tenantId, ids.eve, ids.fay, actor);
    })(),
    (async () => {
      await order("gus", "g1", 999, 5);
      await eraseMember(tenantId, ids.gus, { actor: "segment-test", reason: "test" });
    })(),
  ]);
  const clv = (who: FixtureName, predictedClvMinor: number, pAlive: number) =>
    documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...segmentKeys.clv(tenantId, ids[who]), tenantId, memberId: ids[who], predictedClvMinor, pAlive } }));
  await Promise.all([clv("ann", 80_000, 0.9), clv("bob", 10_000, 0.3), clv("eve", 5_000, 0.6)]);
  return ids;
}

const c = (field: string, op: string, extra: Record<string, unknown> = {}) => ({ condition: { field, op, ...extra } });
const w = (days: number) => ({ window: { inLastDays: days } });

/** Rules with their members worked out by hand from the fixture above (as of the fixture's `now`). */
export const HAND_RULES: { name: string; rule: unknown; expected: FixtureName[] }[] = [
  { name: "≥ 2 orders in the last 90 days", rule: c("ORDER_COUNT", "GTE", { value: 2, ...w(90) }), expected: ["ann", "bob", "eve"] },
  { name: "net spend ≥ 100 in the last 90 days (refunds count)", rule: c("NET_SPEND", "GTE", { value: 100, ...w(90) }), expected: ["ann", "eve"] },
  {
    name: "Shanghai, marketing consent, not vip",
    rule: { all: [c("CITY", "EQ", { value: "Shanghai" }), c("MARKETING_CONSENT", "EQ", { value: true }), { not: c("HAS_TAG", "ANY_OF", { values: ["vip"] }) }] },
    expected: ["ann"],
  },
  {
    name: "viewed c1 or shared in the last 7 days",
    rule: { any: [c("EVENT_COUNT", "GTE", { value: 1, ...w(7), event: { type: "VIEW", contentId: "c1" } }), c("EVENT_COUNT", "GTE", { value: 1, ...w(7), event: { type: "SHARE" } })] },
    expected: ["ann", "cat"],
  },
  { name: "has a WeChat OA identity (merged ids included)", rule: c("HAS_IDENTITY_ON", "ANY_OF", { values: ["WECHAT_OA"] }), expected: ["ann", "eve"] },
  { name: "has an APP identity", rule: c("HAS_IDENTITY_ON", "ANY_OF", { values: ["APP"] }), expected: ["bob", "eve"] },
  { name: "P(alive) ≥ 0.5", rule: c("P_ALIVE", "GTE", { value: 0.5 }), expected: ["ann", "eve"] },
  { name: "no predicted CLV", rule: c("PREDICTED_CLV", "IS_NOT_SET"), expected: ["cat", "dan"] },
  { name: "never ordered", rule: c("DAYS_SINCE_LAST_ORDER", "IS_NOT_SET"), expected: ["dan"] },
  { name: "joined in the last week", rule: c("DAYS_SINCE_JOINED", "LTE", { value: 7 }), expected: ["dan"] },
  { name: "all-time AOV ≥ 100", rule: c("AOV", "GTE", { value: 100 }), expected: ["ann", "cat"] },
  {
    name: "neither LOYAL nor a Beijing buyer",
    rule: { not: { any: [c("TIER", "EQ", { value: "LOYAL" }), { all: [c("CITY", "EQ", { value: "Beijing" }), c("ORDER_COUNT", "GTE", { value: 1 })] }] } },
    expected: ["ann", "dan", "eve"],
  },
  { name: "4 orders in the last 5 days (eve's with the merged fay's)", rule: c("ORDER_COUNT", "EQ", { value: 4, ...w(5) }), expected: ["eve"] },
  { name: "clicked campaign g1 in 30 days", rule: c("EVENT_COUNT", "EQ", { value: 1, ...w(30), event: { type: "CLICK", campaignId: "g1" } }), expected: ["bob"] },
];

/** More rules for the naive cross-check (expected sets come from the naive evaluator). */
export const MORE_RULES: unknown[] = [
  c("AGE", "BETWEEN", { values: [25, 40] }),
  c("AGE", "IS_NOT_SET"),
  c("GENDER", "IN", { values: ["FEMALE", "UNKNOWN"] }),
  c("SOURCE_CHANNEL", "NOT_IN", { values: ["APP"] }),
  c("JOINED_AT", "LT", { value: new Date(Date.now() - 10 * DAY).toISOString() }),
  c("POINTS_BALANCE", "GT", { value: 100 }),
  c("DAYS_SINCE_LAST_ACTIVITY", "LTE", { value: 2 }),
  c("DAYS_SINCE_LAST_ORDER", "BETWEEN", { values: [3, 30] }),
  c("NET_SPEND", "LT", { value: 100 }),
  c("AOV", "LTE", { value: 40, ...w(90) }),
  c("EVENT_COUNT", "GTE", { value: 1, ...w(100), event: { type: "VIEW" } }),
  c("HAS_TAG", "ALL_OF", { values: ["coffee", "vip"] }),
  c("HAS_TAG", "NONE_OF", { values: ["coffee", "tea"] }),
  c("HAS_TAG", "ALL_OF", { values: ["coffee", "tea"] }),
  c("HAS_IDENTITY_ON", "NONE_OF", { values: ["WECOM", "WECHAT_OA"] }),
  c("PREDICTED_CLV", "BETWEEN", { values: [50, 100] }),
  c("CITY", "NEQ", { value: "Beijing" }),
  { any: [c("TIER", "IN", { values: ["LOYAL", "CORE"] }), { all: [c("ORDER_COUNT", "GTE", { value: 3 }), { not: c("NET_SPEND", "GT", { value: 300, ...w(30) }) }] }] },
];

// ----------------------------------------------------------------------------------------------
// The naive evaluator: raw items, luxon.
// ----------------------------------------------------------------------------------------------

export interface RawMember {
  member: Member;
  orders: Order[];
  events: EngagementEvent[];
  channels: string[];
  clv?: { predictedClvMinor?: number; pAlive?: number };
}

export async function loadRaw(tenantId: string, memberIds: readonly string[]): Promise<RawMember[]> {
  return Promise.all(
    memberIds.map(async (id) => {
      const partition = keys.memberPartition(tenantId, id);
      const [member, orders, events, identities, clv] = await Promise.all([
        getMember(tenantId, id, true),
        queryAll<Order>({ index: "gsi1", pk: partition, skPrefix: SK.order }),
        queryAll<EngagementEvent>({ index: "gsi1", pk: partition, skPrefix: SK.event }),
        listIdentities(tenantId, id),
        documentClient().send(new GetCommand({ TableName: tableName(), Key: segmentKeys.clv(tenantId, id), ConsistentRead: true })),
      ]);
      return { member, orders, events, channels: [...new Set(identities.map((i) => i.channel))], clv: clv.Item as RawMember["clv"] };
    }),
  );
}

/** The ids of live members a rule matches, by the naive evaluator. */
export function naiveMatches(rule: SegmentRule, raw: readonly RawMember[], now: number, zone = ZONE): string[] {
  const today = DateTime.fromMillis(now, { zone }).startOf("day");
  return raw.filter((r) => r.member.status === "ACTIVE" && naive(rule, r, today, zone)).map((r) => r.member.memberId);
}

function naive(rule: SegmentRule, r: RawMember, today: DateTime, zone: string): boolean {
  if ("all" in rule) return rule.all.every((x) => naive(x, r, today, zone));
  if ("any" in rule) return rule.any.some((x) => naive(x, r, today, zone));
  if ("not" in rule) return !naive(rule.not, r, today, zone);
  return naiveCondition(rule.condition, r, today, zone);
}

function naiveCondition(c: SegmentCondition, r: RawMember, today: DateTime, zone: string): boolean {
  const dayOf = (iso: string) => DateTime.fromISO(iso, { zone }).startOf("day");
  const inWindow = (iso: string) => !c.window || dayOf(iso) >= today.minus({ days: c.window.inLastDays - 1 });
  const daysSince = (iso?: string) => (iso ? Math.max(0, Math.round(today.diff(dayOf(iso), "days").days)) : undefined);
  const m = r.member;
  const orders = r.orders.filter((o) => inWindow(o.occurredAt));
  const net = orders.reduce((s, o) => s + o.amountMinor - o.refundedMinor, 0);
  const money = (v: SegmentValue) => Math.round((v as number) * 100);
  let actual: SegmentValue | string[] | undefined;
  let value = c.value;
  let values = c.values;
  switch (c.field) {
    case "CITY":
      actual = m.city?.toLowerCase();
      value = typeof value === "string" ? value.toLowerCase() : value;
      values = values?.map((v) => (v as string).toLowerCase());
      break;
    case "GENDER":
      actual = m.gender;
      break;
    case "AGE":
      actual = m.birthday ? Math.floor(today.diff(DateTime.fromISO(m.birthday, { zone }), "years").years) : undefined;
      break;
    case "SOURCE_CHANNEL":
      actual = m.sourceChannel;
      break;
    case "JOINED_AT":
      actual = m.joinedAt;
      break;
    case "DAYS_SINCE_JOINED":
      actual = daysSince(m.joinedAt);
      break;
    case "TIER":
      actual = m.tier;
      break;
    case "POINTS_BALANCE":
      actual = m.pointsBalance;
      break;
    case "HAS_TAG":
      actual = m.tags;
      break;
    case "HAS_IDENTITY_ON":
      actual = r.channels;
      break;
    case "MARKETING_CONSENT":
      actual = m.marketingConsent;
      break;
    case "PARTNER_SHARING_CONSENT":
      actual = m.partnerSharingConsent;
      break;
    case "DAYS_SINCE_LAST_ORDER":
      actual = daysSince(r.orders.map((o) => o.occurredAt).sort().at(-1));
      break;
    case "DAYS_SINCE_LAST_ACTIVITY":
      actual = daysSince([...r.orders.map((o) => o.occurredAt), ...r.events.map((e) => e.occurredAt)].sort().at(-1));
      break;
    case "ORDER_COUNT":
      actual = orders.length;
      break;
    case "NET_SPEND":
      actual = net;
      value = value === undefined ? undefined : money(value);
      values = values?.map(money);
      break;
    case "AOV":
      actual = orders.length > 0 ? Math.round(net / orders.length) : undefined;
      value = value === undefined ? undefined : money(value);
      values = values?.map(money);
      break;
    case "EVENT_COUNT": {
      const e = c.event!;
      actual = r.events.filter((x) => x.type === e.type && inWindow(x.occurredAt) && (!e.contentId || x.contentId === e.contentId) && (!e.campaignId || x.campaignId === e.campaignId)).length;
      break;
    }
    case "PREDICTED_CLV":
      actual = r.clv?.predictedClvMinor;
      value = value === undefined ? undefined : money(value);
      values = values?.map(money);
      break;
    case "P_ALIVE":
      actual = r.clv?.pAlive;
      break;
  }
  return compare(c.op, actual, value, values);
}

function compare(op: ComparisonOp, actual: SegmentValue | string[] | undefined, value?: SegmentValue, values?: SegmentValue[]): boolean {
  if (op === "IS_SET") return actual !== undefined;
  if (op === "IS_NOT_SET") return actual === undefined;
  if (Array.isArray(actual)) {
    if (op === "ANY_OF") return values!.some((v) => actual.includes(v as string));
    if (op === "ALL_OF") return values!.every((v) => actual.includes(v as string));
    return !values!.some((v) => actual.includes(v as string));
  }
  if (actual === undefined) return false;
  switch (op) {
    case "EQ":
      return actual === value;
    case "NEQ":
      return actual !== value;
    case "GT":
      return actual > value!;
    case "GTE":
      return actual >= value!;
    case "LT":
      return actual < value!;
    case "LTE":
      return actual <= value!;
    case "BETWEEN":
      return actual >= values![0]! && actual <= values![1]!;
    case "IN":
      return values!.includes(actual);
    case "NOT_IN":
      return !values!.includes(actual);
    default:
      throw new Error(`op ${op}`);
  }
}

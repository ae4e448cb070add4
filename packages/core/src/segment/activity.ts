import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { IANAZone } from "luxon";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys, SK, type Keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { getSettings } from "../tenant/settings.js";

/**
 * A member's activity summary: daily buckets of orders and events, one item beside the member
 * (`pk = T#t#M#<member>`, `sk = ACTIVITY`), written in the same transaction as every order,
 * refund and event (the member's optimistic-concurrency transaction serialises them: whoever
 * writes it has read the member at the version the write is conditioned on). Segment rules
 * with a window ("≥ 2 orders in the last 90 days") are evaluated from it, never from orders.
 *
 * A bucket is keyed by local day number (days since 1970-01-01 of the local date in the
 * brand's time zone) and holds:
 *   o  orders placed that day        n  their amounts minus their refunds (minor units)
 *   e  events per type               k  events per `c|<contentId>|<type>` / `g|<campaignId>|<type>`
 *   x  1 when more than MAX_KEYED_PER_DAY content/campaign keys arrived that day (k undercounts)
 * Days older than ACTIVITY_DAYS and `k` older than KEYED_DAYS are trimmed on every write.
 */
export const ACTIVITY_SK = "ACTIVITY";
export const ACTIVITY_DAYS = 400;
export const KEYED_DAYS = 90;
export const MAX_KEYED_PER_DAY = 50;
/** Item size kept well under DynamoDB's 400 KB (JSON length as a proxy). */
const MAX_ACTIVITY_CHARS = 300_000;

export interface DayBucket {
  o?: number;
  n?: number;
  e?: Record<string, number>;
  k?: Record<string, number>;
  x?: number;
}

export interface Activity {
  /** Zone the day numbers were cut in (the brand's at the time of writing). */
  tz: string;
  days: Record<string, DayBucket>;
}

const DAY_MS = 86_400_000;

export const activityKey = (tenantId: string, memberId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: ACTIVITY_SK });

const zones = new Map<string, { zone: IANAZone; offsets: Map<number, number> }>();

/**
 * The local day number of an instant in a zone: days since 1970-01-01 of its local date. The
 * zone's offset is looked up once per UTC day (luxon is slow per call); on a day whose offset
 * changes (DST) the instant's own offset is used.
 */
export function localDayNumber(instant: string | number, zone: string): number {
  const ms = typeof instant === "number" ? instant : Date.parse(instant);
  let z = zones.get(zone);
  if (!z) zones.set(zone, (z = { zone: IANAZone.create(zone), offsets: new Map() }));
  const utcDay = Math.floor(ms / DAY_MS);
  let offset = z.offsets.get(utcDay);
  if (offset === undefined) {
    const first = z.zone.offset(utcDay * DAY_MS);
    offset = first === z.zone.offset(utcDay * DAY_MS + DAY_MS - 1) ? first : Number.NaN;
    if (z.offsets.size > 100_000) z.offsets.clear();
    z.offsets.set(utcDay, offset);
  }
  if (Number.isNaN(offset)) offset = z.zone.offset(ms);
  return Math.floor((ms + offset * 60_000) / DAY_MS);
}

/** Calendar parts of a day number. */
export function dayParts(day: number): { year: number; month: number; day: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export const emptyActivity = (tz: string): Activity => ({ tz, days: {} });

export function cloneActivity(a: Activity): Activity {
  const days: Record<string, DayBucket> = {};
  for (const [d, b] of Object.entries(a.days)) days[d] = { ...b, ...(b.e ? { e: { ...b.e } } : {}), ...(b.k ? { k: { ...b.k } } : {}) };
  return { tz: a.tz, days };
}

const bucket = (a: Activity, day: number): DayBucket => (a.days[String(day)] ??= {});

/** Adds an order (mutates `a`). */
export function addOrder(a: Activity, order: { occurredAt: string; amountMinor: number }): Activity {
  const b = bucket(a, localDayNumber(order.occurredAt, a.tz));
  b.o = (b.o ?? 0) + 1;
  b.n = (b.n ?? 0) + order.amountMinor;
  return a;
}

/** A refund lowers the net of the day its order was placed (mutates `a`); a trimmed day is left alone. */
export function addRefund(a: Activity, refund: { orderOccurredAt: string; amountMinor: number }): Activity {
  const key = String(localDayNumber(refund.orderOccurredAt, a.tz));
  const b = a.days[key];
  if (b) b.n = (b.n ?? 0) - refund.amountMinor;
  return a;
}

export const keyedKey = (kind: "c" | "g", id: string, type: string) => `${kind}|${id}|${type}`;

/** Adds an event (mutates `a`); per content item / campaign only within the last KEYED_DAYS of `today`. */
export function addEvent(a: Activity, event: { occurredAt: string; type: string; contentId?: string; campaignId?: string }, today: number): Activity {
  const day = localDayNumber(event.occurredAt, a.tz);
  const b = bucket(a, day);
  b.e ??= {};
  b.e[event.type] = (b.e[event.type] ?? 0) + 1;
  if (day > today - KEYED_DAYS) {
    const ids: string[] = [];
    if (event.contentId) ids.push(keyedKey("c", event.contentId, event.type));
    if (event.campaignId) ids.push(keyedKey("g", event.campaignId, event.type));
    for (const id of ids) {
      b.k ??= {};
      if (b.k[id] === undefined && Object.keys(b.k).length >= MAX_KEYED_PER_DAY) b.x = 1;
      else b.k[id] = (b.k[id] ?? 0) + 1;
    }
  }
  return a;
}

/** Drops days before the retention and per-key counts before KEYED_DAYS, relative to `today` (mutates `a`). */
export function trimActivity(a: Activity, today: number): Activity {
  for (const [d, b] of Object.entries(a.days)) {
    const day = Number(d);
    if (day <= today - ACTIVITY_DAYS) delete a.days[d];
    else if (day <= today - KEYED_DAYS && (b.k || b.x)) {
      delete b.k;
      delete b.x;
    }
  }
  let size = JSON.stringify(a.days).length;
  if (size > MAX_ACTIVITY_CHARS) {
    // Pathological volume (a bot): give up per-key counts, then whole days, oldest first.
    const ordered = Object.keys(a.days).map(Number).sort((x, y) => x - y);
    for (const day of ordered) {
      if (size <= MAX_ACTIVITY_CHARS) break;
      const b = a.days[String(day)]!;
      if (b.k) {
        size -= JSON.stringify(b.k).length;
        delete b.k;
        b.x = 1;
      }
    }
    for (const day of ordered) {
      if (size <= MAX_ACTIVITY_CHARS) break;
      size -= JSON.stringify(a.days[String(day)]).length;
      delete a.days[String(day)];
    }
  }
  return a;
}

const addCounts = (into: Record<string, number> | undefined, from: Record<string, number> | undefined) => {
  if (!from) return into;
  const out = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Sums two members' buckets day by day (a merge): every count and net adds. */
export function combineActivity(a: Activity, b: Activity): Activity {
  const out = cloneActivity(a);
  for (const [d, y] of Object.entries(b.days)) {
    const x = out.days[d] ?? {};
    const merged: DayBucket = {};
    if (x.o !== undefined || y.o !== undefined) merged.o = (x.o ?? 0) + (y.o ?? 0);
    if (x.n !== undefined || y.n !== undefined) merged.n = (x.n ?? 0) + (y.n ?? 0);
    const e = addCounts(x.e, y.e);
    if (e) merged.e = e;
    const k = addCounts(x.k, y.k);
    if (k) merged.k = k;
    if (x.x || y.x) merged.x = 1;
    out.days[d] = merged;
  }
  return out;
}

export function activityItem(tenantId: string, memberId: string, a: Activity, updatedAt: string) {
  return { ...activityKey(tenantId, memberId), tenantId, memberId, tz: a.tz, days: a.days, updatedAt };
}

export function fromActivityItem(item: Record<string, unknown> | undefined): Activity | undefined {
  if (!item) return undefined;
  return { tz: item.tz as string, days: (item.days as Record<string, DayBucket>) ?? {} };
}

export async function readActivity(tenantId: string, memberId: string, consistent = false): Promise<Activity | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: activityKey(tenantId, memberId), ConsistentRead: consistent }));
  return fromActivityItem(out.Item);
}

/** Many members' activity (BatchGetItem), by member id; members without an item are absent. */
export async function readActivities(tenantId: string, memberIds: readonly string[]): Promise<Map<string, Activity>> {
  const items = await batchGet<Record<string, unknown>>(memberIds.map((id) => activityKey(tenantId, id)), ["memberId", "tz", "days"]);
  return new Map(items.map((item) => [item.memberId as string, fromActivityItem(item)!]));
}

/**
 * The ACTIVITY write for a member transaction: reads the item (strongly consistent), applies
 * `change`, trims and returns the Put. Called inside `changeMember`'s plan, so the member
 * version condition of the same transaction makes the read-modify-write safe. `current`: the
 * item as the caller already read it (strongly consistent, with the member it plans from;
 * null when absent), so it is not read again.
 */
export async function activityPut(
  tenantId: string,
  memberId: string,
  change: (a: Activity, today: number) => void,
  options: { zone?: string; now?: Date; current?: Activity | null } = {},
): Promise<TransactItem> {
  const zone = options.zone ?? (await getSettings(tenantId)).timeZone;
  const now = options.now ?? new Date();
  const current = options.current !== undefined ? options.current : await readActivity(tenantId, memberId, true);
  const a = current ? { ...current, tz: zone } : emptyActivity(zone);
  const today = localDayNumber(now.getTime(), zone);
  change(a, today);
  trimActivity(a, today);
  return { Put: { TableName: tableName(), Item: activityItem(tenantId, memberId, a, now.toISOString()) } };
}

/**
 * For the last step of a merge: the survivor's ACTIVITY becomes the sum of both, the
 * duplicate's is deleted. Nothing when the duplicate has none.
 */
export async function mergeActivityWrites(tenantId: string, survivorId: string, duplicateId: string, now = new Date()): Promise<TransactItem[]> {
  const [s, d] = await Promise.all([readActivity(tenantId, survivorId, true), readActivity(tenantId, duplicateId, true)]);
  if (!d) return [];
  const zone = (await getSettings(tenantId)).timeZone;
  const combined = trimActivity(combineActivity(s ?? emptyActivity(zone), d), localDayNumber(now.getTime(), zone));
  combined.tz = zone;
  const table = tableName();
  return [
    { Put: { TableName: table, Item: activityItem(tenantId, survivorId, combined, now.toISOString()) } },
    { Delete: { TableName: table, Key: activityKey(tenantId, duplicateId) } },
  ];
}

/**
 * A member and its ACTIVITY item in one strongly consistent BatchGetItem: what a member write
 * that also moves the daily buckets (an order) plans from, in one round trip. `more`: other
 * items of the member's partition read in the same round trip (by sort key, in `others`).
 */
export async function readMemberWithActivity(
  tenantId: string,
  memberId: string,
  more: readonly string[] = [],
): Promise<{ item?: Record<string, unknown>; activity: Activity | null; others: Map<string, Record<string, unknown>> }> {
  const partition = keys.memberPartition(tenantId, memberId);
  const items = await batchGet<Record<string, unknown>>([keys.member(tenantId, memberId), activityKey(tenantId, memberId), ...more.map((sk) => ({ pk: partition, sk }))], undefined, { consistent: true });
  const others = new Map(items.filter((i) => more.includes(i.sk as string)).map((i) => [i.sk as string, i]));
  return { item: items.find((i) => i.sk === SK.member), activity: fromActivityItem(items.find((i) => i.sk === ACTIVITY_SK)) ?? null, others };
}

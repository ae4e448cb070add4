import { gunzipSync, gzipSync } from "node:zlib";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet, batchPut } from "../../db/batch.js";
import { documentClient, tableName } from "../../db/client.js";
import { parseLocalDate } from "../../jobs/periods.js";
import type { ClvMemberResult, ClvRun, ClvSnapshot } from "./compute.js";
import { CLV_MEMBER_SK, clvKeys } from "./keys.js";
import { clvParamsKey, DEFAULT_CLV_PARAMS } from "./params.js";


/** A member's CLV item as stored beside the member (`pk = T#t#M#<member>`, `sk = CLV`). */
export interface MemberClv {
  tenantId: string;
  memberId: string;
  asOf: string;
  computedAt: string;
  paramsKey: string;
  timeUnit: string;
  horizonMonths: number;
  monthlyDiscountRate: number;
  currency: string;
  /** Net revenue up to the as-of date, minor units. */
  historicalClvMinor: number;
  /** Repeat purchase days (x) up to the as-of date; absent without an order. */
  repeatPurchases?: number;
  firstPurchaseDay?: string;
  lastPurchaseDay?: string;
  /** Discounted CLV over the horizon, minor units (unrounded); absent without a prediction. */
  predictedClvMinor?: number;
  /** Expected repeat purchases over the horizon. */
  expectedPurchases?: number;
  pAlive?: number;
  /** Expected value of each future purchase, minor units (unrounded). */
  expectedAovMinor?: number;
}

const DEFAULT_PARAMS_KEY = clvParamsKey(DEFAULT_CLV_PARAMS);

/** The attribute holding the gzipped JSON snapshot. */
export const CLV_SNAPSHOT_ATTRIBUTE = "snapshot";

/** Member items written per BatchWriteItem lane (25 per call) and lanes at once. */
const MEMBER_SLICE = 250;
const WRITE_LANES = 4;

/**
 * DynamoDB numbers hold magnitudes from 1e-130 to 1e126 (38 digits): a probability that
 * underflows that far (a long-lapsed frequent buyer's P(alive)) is stored as 0.
 */
const storable = (v: number): number => (Math.abs(v) < 1e-120 ? 0 : v);

export function memberClvItem(snapshot: ClvSnapshot, m: ClvMemberResult): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...clvKeys.member(snapshot.tenantId, m.memberId),
    tenantId: snapshot.tenantId,
    memberId: m.memberId,
    asOf: snapshot.asOf,
    computedAt: snapshot.computedAt,
    paramsKey: snapshot.paramsKey,
    timeUnit: snapshot.timeUnit,
    horizonMonths: snapshot.horizonMonths,
    monthlyDiscountRate: snapshot.monthlyDiscountRate,
    currency: snapshot.currency,
    historicalClvMinor: m.historicalClvMinor,
  };
  if (m.summary) Object.assign(item, { repeatPurchases: m.summary.x, firstPurchaseDay: m.summary.firstDay, lastPurchaseDay: m.summary.lastDay });
  if (m.prediction) {
    Object.assign(item, {
      predictedClvMinor: storable(m.prediction.clv),
      expectedPurchases: storable(m.prediction.expectedPurchases),
      pAlive: storable(m.prediction.pAlive),
      expectedAovMinor: storable(m.prediction.expectedAverageValue),
    });
  }
  return item;
}

interface LatestPointer {
  asOf: string;
  paramsKey: string;
  snapshotSk: string;
  computedAt: string;
}

async function readLatest(tenantId: string): Promise<LatestPointer | null> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: clvKeys.latest(tenantId), ConsistentRead: true }));
  return (out.Item as LatestPointer | undefined) ?? null;
}

/**
 * Writes a run: the members' CLV items (BatchWriteItem, overwriting, never touching the member
 * item), then the snapshot, then the `LATEST` pointer. Every write is a plain overwrite keyed
 * by tenant, as-of date and parameters, so a rerun writes the same items (but `computedAt`).
 *
 * The member items hold one value per member, the newest of the default parameters (WEEK, 12
 * months, 1%: what the schedule runs). A run with other parameters (a what-if) writes only its
 * snapshot; a run for an as-of date older than the latest (a backfill) writes its snapshot but
 * leaves the member items alone; the pointer only moves forward (conditional Put).
 */
export async function writeClvRun(run: ClvRun): Promise<{ memberItems: number }> {
  const { snapshot, members } = run;
  const primary = snapshot.paramsKey === DEFAULT_PARAMS_KEY;
  const latest = primary ? await readLatest(snapshot.tenantId) : null;
  let memberItems = 0;
  if (primary && (!latest || latest.asOf <= snapshot.asOf)) {
    const slices: ClvMemberResult[][] = [];
    for (let i = 0; i < members.length; i += MEMBER_SLICE) slices.push(members.slice(i, i + MEMBER_SLICE));
    const lane = async () => {
      for (let slice = slices.shift(); slice; slice = slices.shift()) {
        await batchPut(slice.map((m) => memberClvItem(snapshot, m)));
        memberItems += slice.length;
      }
    };
    await Promise.all(Array.from({ length: WRITE_LANES }, lane));
  }
  const key = clvKeys.snapshot(snapshot.tenantId, snapshot.asOf, snapshot.paramsKey);
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...key,
        tenantId: snapshot.tenantId,
        asOf: snapshot.asOf,
        paramsKey: snapshot.paramsKey,
        computedAt: snapshot.computedAt,
        members: snapshot.members,
        customers: snapshot.customers,
        [CLV_SNAPSHOT_ATTRIBUTE]: gzipSync(Buffer.from(JSON.stringify(snapshot))),
      },
    }),
  );
  if (!primary) return { memberItems };
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...clvKeys.latest(snapshot.tenantId), asOf: snapshot.asOf, paramsKey: snapshot.paramsKey, snapshotSk: key.sk, computedAt: snapshot.computedAt } satisfies Record<string, unknown> & LatestPointer,
        ConditionExpression: "attribute_not_exists(pk) OR asOf <= :asOf",
        ExpressionAttributeValues: { ":asOf": snapshot.asOf },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { memberItems };
}

const decode = (item: Record<string, unknown>): ClvSnapshot => JSON.parse(gunzipSync(item[CLV_SNAPSHOT_ATTRIBUTE] as Uint8Array).toString("utf8")) as ClvSnapshot;

/**
 * The CLV snapshot of an as-of date, or the latest of the default parameters; null if never
 * computed. A date with snapshots of several parameter sets gives the default one (WEEK, 12
 * months, 1%) if present, else the most recently computed. Latest: GetItem of the pointer, then
 * of the snapshot; a date: one Query.
 */
export async function getClvSnapshot(tenantId: string, asOf?: string | null): Promise<ClvSnapshot | null> {
  if (asOf) {
    parseLocalDate(asOf, "asOf");
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :day)",
        ExpressionAttributeValues: { ":pk": clvKeys.partition(tenantId), ":day": `${asOf}#` },
      }),
    );
    const items = out.Items ?? [];
    if (items.length === 0) return null;
    const chosen = items.find((i) => i.paramsKey === DEFAULT_PARAMS_KEY) ?? items.reduce((a, b) => ((a.computedAt as string) >= (b.computedAt as string) ? a : b));
    return decode(chosen);
  }
  const latest = await readLatest(tenantId);
  if (!latest) return null;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: { pk: clvKeys.partition(tenantId), sk: latest.snapshotSk } }));
  return out.Item ? decode(out.Item) : null;
}

/**
 * Erasure: takes the members out of every stored CLV snapshot's top list (the deciles and
 * averages stay: they are aggregates). Returns how many snapshots changed. Reads the tenant's
 * CLV partition (one item per as-of date and parameter set).
 */
export async function removeFromClvSnapshots(tenantId: string, memberIds: readonly string[]): Promise<number> {
  const ids = new Set(memberIds);
  let changed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": clvKeys.partition(tenantId) }, ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? []) {
      if (!item[CLV_SNAPSHOT_ATTRIBUTE]) continue;
      const snapshot = decode(item);
      const top = snapshot.top.filter((entry) => !ids.has(entry.memberId));
      if (top.length === snapshot.top.length) continue;
      await documentClient().send(
        new PutCommand({ TableName: tableName(), Item: { ...item, [CLV_SNAPSHOT_ATTRIBUTE]: gzipSync(Buffer.from(JSON.stringify({ ...snapshot, top }))) } }),
      );
      changed++;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return changed;
}

/** The CLV items of many members (BatchGetItem, 100 keys a call), by member id; absent when never computed. */
export async function getMemberClvs(tenantId: string, memberIds: readonly string[]): Promise<Map<string, MemberClv>> {
  const items = await batchGet<Record<string, unknown>>(memberIds.map((id) => clvKeys.member(tenantId, id)));
  const out = new Map<string, MemberClv>();
  for (const item of items) {
    if (item.sk !== CLV_MEMBER_SK) continue;
    const { pk: _pk, sk: _sk, ...rest } = item;
    out.set(rest.memberId as string, rest as unknown as MemberClv);
  }
  return out;
}

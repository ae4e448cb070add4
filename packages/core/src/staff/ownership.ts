import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys, stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import type { TransactionCancelled, TransactItem } from "../db/transact.js";
import { counterUpdate } from "../db/counters.js";
import { localDate } from "../jobs/periods.js";
import { changeMember } from "../member/mutate.js";
import { decodeCursor, encodeCursor } from "../shared/cursor.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { newId } from "../shared/ids.js";
import { pageSize, type Page, type PageArgs } from "../shared/page.js";
import { cleanText, toUtcInstant } from "../shared/text.js";
import { getSettings } from "../tenant/settings.js";
import { OWNER_SK, staffKeys } from "./keys.js";
import { createHash } from "node:crypto";
import { bucketAttr, getStaffMany } from "./staff.js";
import { BUCKETS, MAX_NOTE, type ActiveReassignment, type Ownership, type OwnershipChange, type OwnershipReason, type Staff } from "./types.js";

/** The member's bucket (0..BUCKETS-1): a hash of its id, fixed for life. */
export const bucketOf = (memberId: string): number => createHash("sha256").update(memberId).digest()[0]! % BUCKETS;

/** Which receiver of a reassignment a member goes to. */
export function targetOf(reassignment: ActiveReassignment, memberId: string): string {
  const b = bucketOf(memberId);
  return (reassignment.targets.find((t) => t.lo <= b && b < t.hi) ?? reassignment.targets[0]!).staffId;
}

export function fromOwnershipItem(item: Record<string, unknown>): Ownership {
  const o = stripKeys(item) as unknown as Ownership & { tenantId?: string };
  return { memberId: o.memberId, staffId: o.staffId, joinedAt: o.joinedAt, orderCount: o.orderCount ?? 0, assignedAt: o.assignedAt };
}

export function ownershipItem(tenantId: string, o: Ownership): Record<string, unknown> {
  return {
    ...staffKeys.owner(tenantId, o.memberId),
    gsi1pk: staffKeys.owned(tenantId, o.staffId),
    gsi1sk: staffKeys.ownedSort(o.joinedAt, o.memberId),
    tenantId,
    ...o,
  };
}

/** The member's OWNER item (who owns the member as stored, before any reassignment applies). */
export async function findOwnership(tenantId: string, memberId: string, consistent = false): Promise<Ownership | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: staffKeys.owner(tenantId, memberId), ConsistentRead: consistent }));
  return out.Item ? fromOwnershipItem(out.Item) : undefined;
}

/** OWNER items of many members (BatchGetItem), aligned with `memberIds`. */
export async function getOwnerships(tenantId: string, memberIds: readonly string[]): Promise<(Ownership | undefined)[]> {
  const items = memberIds.length ? await batchGet<Record<string, unknown>>([...new Set(memberIds)].map((id) => staffKeys.owner(tenantId, id))) : [];
  const byId = new Map(items.map((item) => [item.memberId as string, fromOwnershipItem(item)]));
  return memberIds.map((id) => byId.get(id));
}

/**
 * Who owns a member in effect: the stored owner, or, while the stored owner's members are being
 * moved by a reassignment, its target. This is how a bulk reassignment takes effect for every
 * reader at the instant it starts, however long the mover takes (docs/staff.md).
 */
export function effectiveOwnerId(ownership: Pick<Ownership, "staffId" | "memberId"> | undefined, storedOwner: Pick<Staff, "reassignment"> | undefined): string | undefined {
  if (!ownership) return undefined;
  return storedOwner?.reassignment ? targetOf(storedOwner.reassignment, ownership.memberId) : ownership.staffId;
}

/** Effective owners of many members: one BatchGet of OWNER items and one of their staff. */
export async function effectiveOwners(tenantId: string, memberIds: readonly string[]): Promise<(string | undefined)[]> {
  const owned = await getOwnerships(tenantId, memberIds);
  const staff = await getStaffMany(tenantId, owned.flatMap((o) => (o ? [o.staffId] : [])));
  const byId = new Map(staff.flatMap((s) => (s ? [[s.staffId, s] as const] : [])));
  return owned.map((o) => effectiveOwnerId(o, o ? byId.get(o.staffId) : undefined));
}

/**
 * A staff member's counters for one member with `orderCount` orders (owned / buyer / repeat),
 * in total and in the member's bucket, times `sign`.
 */
export function ownedDelta(memberId: string, orderCount: number, sign: number): Record<string, number> {
  return crossingDelta(memberId, { ownedCount: sign, buyerCount: orderCount >= 1 ? sign : 0, repeatCount: orderCount >= 2 ? sign : 0 });
}

/** Totals plus the same changes on the member's bucket attributes. */
export function crossingDelta(memberId: string, d: { ownedCount?: number; buyerCount?: number; repeatCount?: number }): Record<string, number> {
  const b = bucketOf(memberId);
  const out: Record<string, number> = {};
  const put = (name: string, n: number | undefined) => {
    if (n) out[name] = (out[name] ?? 0) + n;
  };
  put("ownedCount", d.ownedCount);
  put("buyerCount", d.buyerCount);
  put("repeatCount", d.repeatCount);
  put(bucketAttr.owned(b), d.ownedCount);
  put(bucketAttr.buyers(b), d.buyerCount);
  put(bucketAttr.repeat(b), d.repeatCount);
  return out;
}

/** Adds one delta into another (several members in one counter update). */
export function addInto(into: Record<string, number>, d: Record<string, number>, sign = 1): Record<string, number> {
  for (const [k, n] of Object.entries(d)) into[k] = (into[k] ?? 0) + sign * n;
  return into;
}

export interface AssignInput {
  memberId: string;
  staffId: string;
  /** ADDED (default): the staff member added the member as a WeCom contact; ASSIGNED: handed over. */
  reason?: "ADDED" | "ASSIGNED";
  note?: string | null;
  /** When it happened (the day `ADDED` counts in); now when omitted. */
  at?: string | null;
}

function historyPut(tenantId: string, change: OwnershipChange): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...staffKeys.ownershipChange(tenantId, change.memberId, change.changedAt, change.changeId), tenantId, ...change },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/**
 * Makes a staff member the owner of a member: the OWNER item, both staff members' counters, the
 * history entry and (for ADDED) the day's new-member counter, in one transaction with the
 * member's version check (order recording reads the owner under the same check, so the
 * repurchase counters never miss an order). The target must be ACTIVE and not itself being
 * reassigned (CONFLICT). Assigning the member's current owner again changes nothing.
 */
export async function assignMemberOwner(tenantId: string, input: AssignInput, by: { actor: string }): Promise<Ownership> {
  const reason: OwnershipReason = input.reason ?? "ADDED";
  if (reason !== "ADDED" && reason !== "ASSIGNED") throw new ValidationError("reason must be ADDED or ASSIGNED", "reason");
  const note = cleanText(input.note, "note", MAX_NOTE);
  const at = input.at ? toUtcInstant(input.at, "at") : new Date().toISOString();
  const { timeZone } = await getSettings(tenantId);
  const [target] = await getStaffMany(tenantId, [input.staffId]);
  if (!target) throw new NotFoundError("Staff member", input.staffId);
  return changeMember(tenantId, input.memberId, async (member) => {
    const current = await findOwnership(tenantId, member.memberId, true);
    const [stored] = current ? await getStaffMany(tenantId, [current.staffId]) : [undefined];
    const from = effectiveOwnerId(current, stored);
    if (from === input.staffId) return { member: {}, result: current!, items: [] };
    const ownership: Ownership = { memberId: member.memberId, staffId: input.staffId, joinedAt: member.joinedAt, orderCount: member.orderCount, assignedAt: at };
    const change: OwnershipChange = {
      changeId: newId("oc"),
      memberId: member.memberId,
      ...(from ? { fromStaffId: from } : {}),
      toStaffId: input.staffId,
      reason,
      ...(note ? { note } : {}),
      actor: by.actor,
      changedAt: new Date().toISOString(),
    };
    const items: TransactItem[] = [
      { Put: { TableName: tableName(), Item: ownershipItem(tenantId, ownership) } },
      targetUpdate(tenantId, input.staffId, ownedDelta(member.memberId, member.orderCount, 1)),
      historyPut(tenantId, change),
    ];
    if (current) items.push(counterUpdate(staffKeys.staff(tenantId, current.staffId), {}, ownedDelta(member.memberId, current.orderCount, -1)));
    if (reason === "ADDED") items.push(counterUpdate(staffKeys.day(tenantId, input.staffId, localDate(at, timeZone)), { staffId: input.staffId }, { added: 1 }));
    return { member: {}, items, result: ownership, explain: (e: TransactionCancelled) => (e.failedCondition(1) ? notAssignable(input.staffId) : new ConflictError("the ownership changed at the same time; try again")) };
  });
}

const notAssignable = (staffId: string) => new ConflictError(`staff member ${staffId} is not ACTIVE or its members are being reassigned`, { staffId });

/** A staff member's counters, conditioned on it being ACTIVE and not moving its members out. */
function targetUpdate(tenantId: string, staffId: string, add: Record<string, number>): TransactItem {
  const u = counterUpdate(staffKeys.staff(tenantId, staffId), {}, add);
  return {
    Update: {
      ...u.Update!,
      ConditionExpression: "attribute_exists(pk) AND #status = :active AND attribute_not_exists(reassignment)",
      ExpressionAttributeNames: { ...u.Update!.ExpressionAttributeNames, "#status": "status" },
      ExpressionAttributeValues: { ...u.Update!.ExpressionAttributeValues, ":active": "ACTIVE" },
    },
  };
}

/** Removes a member's owner (history kept). A member without an owner is left as it is. */
export async function unassignMemberOwner(tenantId: string, input: { memberId: string; note?: string | null }, by: { actor: string }): Promise<void> {
  const note = cleanText(input.note, "note", MAX_NOTE);
  await changeMember(tenantId, input.memberId, async (member) => {
    const current = await findOwnership(tenantId, member.memberId, true);
    if (!current) return { member: {}, items: [], result: undefined };
    const [stored] = await getStaffMany(tenantId, [current.staffId]);
    const change: OwnershipChange = {
      changeId: newId("oc"),
      memberId: member.memberId,
      fromStaffId: effectiveOwnerId(current, stored)!,
      reason: "UNASSIGNED",
      ...(note ? { note } : {}),
      actor: by.actor,
      changedAt: new Date().toISOString(),
    };
    return {
      member: {},
      items: [
        { Delete: { TableName: tableName(), Key: staffKeys.owner(tenantId, member.memberId) } },
        counterUpdate(staffKeys.staff(tenantId, current.staffId), {}, ownedDelta(member.memberId, current.orderCount, -1)),
        historyPut(tenantId, change),
      ],
      result: undefined,
    };
  });
}

/** A member's ownership changes, newest first. */
export async function listOwnershipHistory(tenantId: string, memberId: string, args: PageArgs): Promise<Page<OwnershipChange>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `owner-history:${memberId}`, { pk: keys.memberPartition(tenantId, memberId), skPrefix: "OWNERCHG#" }, args);
  return { ...page, items: page.items.map((i) => stripKeys(i) as unknown as OwnershipChange) };
}

/** Effective counts of a staff member: its own plus those of staff whose members are moving to it. */
export async function effectiveCounts(tenantId: string, staff: Staff): Promise<{ ownedCount: number; buyerCount: number; repeatCount: number }> {
  if (staff.reassignment) return { ownedCount: 0, buyerCount: 0, repeatCount: 0 };
  const counts = { ownedCount: staff.ownedCount, buyerCount: staff.buyerCount, repeatCount: staff.repeatCount };
  for (const { source, range } of await incomingSources(tenantId, staff)) {
    for (let b = range.lo; b < range.hi; b++) {
      counts.ownedCount += source.buckets.owned[b]!;
      counts.buyerCount += source.buckets.buyers[b]!;
      counts.repeatCount += source.buckets.repeat[b]!;
    }
  }
  return counts;
}

/** Staff members whose members are moving to this one, with the bucket range it receives. */
async function incomingSources(tenantId: string, staff: Staff): Promise<{ source: Staff; range: { lo: number; hi: number } }[]> {
  if (!staff.incoming?.length) return [];
  const out: { source: Staff; range: { lo: number; hi: number } }[] = [];
  for (const s of await getStaffMany(tenantId, staff.incoming)) {
    const range = s?.reassignment?.targets.find((t) => t.staffId === staff.staffId);
    if (s && range) out.push({ source: s, range });
  }
  return out;
}

/**
 * The members a staff member owns in effect, newest joined first: its own OWNER list entries
 * merged (by the shared sort key, join time then id) with the entries of every staff member
 * whose members are being moved to it. A staff member whose members are moving away owns none.
 * The cursor is one sort key, signed; moved members keep their sort key, so a page sequence
 * stays consistent when the mover finishes between pages. No scans: one Query per partition.
 */
export async function listOwnedMemberIds(tenantId: string, staff: Staff, args: PageArgs): Promise<Page<Ownership>> {
  const limit = pageSize(args.first);
  const scope = `owned:${staff.staffId}`;
  const below = args.after ? decodeCursor<{ b: string }>(tenantId, scope, args.after).b : undefined;
  if (args.after && typeof below !== "string") throw new ValidationError("the cursor is invalid or belongs to another list", "after");
  if (staff.reassignment) return { items: [], cursors: [], endCursor: null, hasNextPage: false };
  const sources: { staffId: string; range?: { lo: number; hi: number } }[] = [{ staffId: staff.staffId }];
  for (const { source, range } of await incomingSources(tenantId, staff)) sources.push({ staffId: source.staffId, range });
  const parts = await Promise.all(sources.map((s) => queryOwned(tenantId, s.staffId, limit + 1, below, s.range)));
  const merged = parts
    .flat()
    .sort((a, b) => (a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : 0))
    .filter((x, i, all) => i === 0 || all[i - 1]!.sort !== x.sort);
  const items = merged.slice(0, limit);
  const cursors = items.map((x) => encodeCursor(tenantId, scope, { b: x.sort }));
  return { items: items.map((x) => x.ownership), cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: merged.length > limit };
}

/**
 * Up to `limit` entries of a staff member's OWNED partition below `below`; with a bucket range
 * (a spread reassignment's share) only members in it, reading on until enough or none left.
 */
async function queryOwned(tenantId: string, staffId: string, limit: number, below?: string, range?: { lo: number; hi: number }): Promise<{ sort: string; ownership: Ownership }[]> {
  const found: { sort: string; ownership: Ownership }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: "gsi1",
        KeyConditionExpression: below ? "gsi1pk = :pk AND gsi1sk < :b" : "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": staffKeys.owned(tenantId, staffId), ...(below ? { ":b": below } : {}) },
        ScanIndexForward: false,
        Limit: range ? Math.max(limit, 50) : limit,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of out.Items ?? []) {
      if (i.sk !== OWNER_SK) continue;
      const ownership = fromOwnershipItem(i);
      const b = bucketOf(ownership.memberId);
      if (range && (b < range.lo || b >= range.hi)) continue;
      found.push({ sort: i.gsi1sk as string, ownership });
    }
    start = range ? out.LastEvaluatedKey : undefined;
  } while (start && found.length < limit);
  return found.slice(0, limit);
}


import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { counterUpdate } from "../db/counters.js";
import { keys, stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { cleanText } from "../shared/text.js";
import { addInto, findOwnership, fromOwnershipItem, ownedDelta, ownershipItem, targetOf } from "./ownership.js";
import { OWNER_SK, staffKeys } from "./keys.js";
import { getStaff, staffIndexKeys } from "./staff.js";
import { BUCKETS, MAX_NOTE, type Ownership, type OwnershipChange, type Reassignment, type ReassignmentTarget } from "./types.js";

/**
 * Bulk reassignment of every member a staff member owns to another (or spread over several by
 * a hash of the member id: `splitBuckets`), all or nothing in effect.
 *
 * DynamoDB transactions hold at most 100 items and a shopping assistant may own thousands of
 * members, so one transaction cannot move them. Instead:
 * 1. `startReassignment` writes, in ONE transaction, the reassignment record (MOVING), the
 *    source's `reassignment` marker (and LEFT status when asked) and the target's `incoming`
 *    entry. From that instant every reader resolves the source's members to the target
 *    (`effectiveOwnerId`, `listOwnedMemberIds`, `effectiveCounts`): the reassignment has
 *    happened for everyone, atomically, before a single OWNER item moved.
 * 2. `moveReassignment` then rewrites the OWNER items in transactions of MOVE_BATCH members
 *    (each member's OWNER item conditioned on still naming the source with the order count
 *    read, its version bumped, its history entry, and both staff counters), so readers'
 *    answers never change while it runs. It is idempotent and resumable: a crash leaves some
 *    members moved and the rest still resolved through the marker; rerunning moves the rest
 *    (moved members no longer match the source). The last transaction, conditioned on the
 *    source owning none, clears the marker, the target's `incoming` and marks the record DONE.
 * The `staff-reassign` task resumes any reassignment still MOVING (a crashed mover).
 * While MOVING, the source cannot receive members and neither side can start another
 * reassignment (CONFLICT), so reassignments never chain.
 */

/** Members per mover transaction to one receiver: 3 items each (member version, OWNER, history) + 3. */
export const MOVE_BATCH = 32;
/** Most receivers of one reassignment (each gets at least one of the BUCKETS buckets). */
export const MAX_TARGETS = BUCKETS;

/** Members per mover transaction with `targets` receivers: 3 each + the source, each receiver and the record. */
export const moveBatchFor = (targets: number) => Math.min(MOVE_BATCH, Math.floor((100 - 2 - targets) / 3));

/** Splits the buckets over the receivers in contiguous, near-equal ranges (the first get the extra ones). */
export function splitBuckets(staffIds: string[]): ReassignmentTarget[] {
  const n = staffIds.length;
  return staffIds.map((staffId, i) => ({ staffId, lo: Math.floor((i * BUCKETS) / n), hi: Math.floor(((i + 1) * BUCKETS) / n) }));
}

export interface ReassignInput {
  fromStaffId: string;
  /** One receiver... */
  toStaffId?: string | null;
  /** ...or several, sharing the members by a hash of the member id (2-16, distinct). */
  toStaffIds?: string[] | null;
  note?: string | null;
  /** Mark the source LEFT in the same transaction that starts the reassignment. */
  markLeft?: boolean | null;
}

const record = (item: Record<string, unknown>) => stripKeys(item) as unknown as Reassignment;

/** Starts a reassignment (one transaction; see above). Does not move anything yet. */
export async function startReassignment(tenantId: string, input: ReassignInput, by: { actor: string }): Promise<Reassignment> {
  const ids = input.toStaffIds?.length ? input.toStaffIds : input.toStaffId ? [input.toStaffId] : [];
  const field = input.toStaffIds?.length ? "toStaffIds" : "toStaffId";
  if (ids.length === 0 || (input.toStaffId && input.toStaffIds?.length)) throw new ValidationError("give toStaffId or toStaffIds", "toStaffId");
  if (ids.length > MAX_TARGETS) throw new ValidationError(`at most ${MAX_TARGETS} receivers`, field);
  if (new Set(ids).size !== ids.length) throw new ValidationError("receivers must be distinct", field);
  if (ids.includes(input.fromStaffId)) throw new ValidationError("a receiver must differ from fromStaffId", field);
  const note = cleanText(input.note, "note", MAX_NOTE);
  const from = await getStaff(tenantId, input.fromStaffId, true);
  const receivers = await Promise.all(ids.map((id) => getStaff(tenantId, id, true)));
  if (from.reassignment) throw new ConflictError(`the members of ${from.staffId} are already being reassigned (${from.reassignment.reassignmentId})`, { reassignmentId: from.reassignment.reassignmentId });
  if (from.incoming?.length) throw new ConflictError(`members are still moving to ${from.staffId}; try again when that reassignment is done`);
  for (const to of receivers) {
    if (to.status !== "ACTIVE") throw new ConflictError(`staff member ${to.staffId} is ${to.status}`, { field });
    if (to.reassignment) throw new ConflictError(`the members of ${to.staffId} are being reassigned`, { field });
  }
  const targets = splitBuckets(ids);
  const now = new Date().toISOString();
  const r: Reassignment = {
    tenantId,
    reassignmentId: newId("ra"),
    fromStaffId: from.staffId,
    targets,
    status: "MOVING",
    memberCount: from.ownedCount,
    movedCount: 0,
    ...(note ? { note } : {}),
    actor: by.actor,
    markedLeft: input.markLeft === true,
    createdAt: now,
  };
  const leftKeys = r.markedLeft ? staffIndexKeys({ ...from, status: "LEFT" }) : undefined;
  const fromSet: Record<string, unknown> = { reassignment: { reassignmentId: r.reassignmentId, targets }, updatedAt: now };
  if (leftKeys) Object.assign(fromSet, { status: "LEFT", leftAt: now, gsi1pk: leftKeys.gsi1pk, ...(leftKeys.gsi2pk ? { gsi2pk: leftKeys.gsi2pk } : {}) });
  const names = Object.keys(fromSet);
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...staffKeys.reassignment(tenantId, from.staffId, r.reassignmentId), gsi1pk: staffKeys.reassigning(tenantId), gsi1sk: `${now}#${from.staffId}#${r.reassignmentId}`, ...r },
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: staffKeys.staff(tenantId, from.staffId),
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(", ")}`,
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(reassignment) AND attribute_not_exists(incoming) AND #own = :own",
        ExpressionAttributeNames: { ...Object.fromEntries(names.map((n, i) => [`#f${i}`, n])), "#own": "ownedCount" },
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((n, i) => [`:f${i}`, fromSet[n]])), ":own": from.ownedCount },
      },
    },
    ...receivers.map(
      (to): TransactItem => ({
        Update: {
          TableName: tableName(),
          Key: staffKeys.staff(tenantId, to.staffId),
          UpdateExpression: "ADD incoming :from SET updatedAt = :now",
          ConditionExpression: "attribute_exists(pk) AND #status = :active AND attribute_not_exists(reassignment)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":from": new Set([from.staffId]), ":active": "ACTIVE", ":now": now },
        },
      }),
    ),
  ];
  try {
    await transact(items);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new ConflictError("the staff members changed at the same time; try again");
    throw error;
  }
  return r;
}

export async function findReassignment(tenantId: string, fromStaffId: string, reassignmentId: string): Promise<Reassignment | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: staffKeys.reassignment(tenantId, fromStaffId, reassignmentId), ConsistentRead: true }));
  return out.Item ? record(out.Item) : undefined;
}

/** A staff member's reassignments (out of it), newest first. */
export async function listReassignments(tenantId: string, fromStaffId: string, args: PageArgs): Promise<Page<Reassignment>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `reassignments:${fromStaffId}`, { pk: staffKeys.partition(tenantId, fromStaffId), skPrefix: "REASSIGN#" }, args);
  return { ...page, items: page.items.map(record) };
}

/** Reassignments still MOVING (sparse index), oldest first: what the `staff-reassign` task resumes. */
export async function movingReassignments(tenantId: string): Promise<Reassignment[]> {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName(), IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": staffKeys.reassigning(tenantId) }, Limit: 100 }),
  );
  return (out.Items ?? []).map(record);
}

export interface MoveOptions {
  /** Members per transaction (tests use small batches); at most MOVE_BATCH. */
  batchSize?: number;
  /** Test hook: throw after this many committed batches, as a crashed mover would stop. */
  crashAfterBatches?: number;
}

/**
 * Moves the OWNER items of a MOVING reassignment (see the top of this file). Idempotent and
 * resumable; returns the reassignment as it ends (DONE). A reassignment already DONE is returned.
 */
export async function moveReassignment(tenantId: string, fromStaffId: string, reassignmentId: string, options: MoveOptions = {}): Promise<Reassignment> {
  let r = await findReassignment(tenantId, fromStaffId, reassignmentId);
  if (!r) throw new NotFoundError("Reassignment", reassignmentId);
  if (r.status === "DONE") return r;
  const size = Math.min(options.batchSize ?? MOVE_BATCH, moveBatchFor(r.targets.length));
  let committed = 0;
  for (let idle = 0; ; ) {
    const batch = await sourceBatch(tenantId, r, size);
    if (batch.length === 0) {
      if (await finish(tenantId, r)) return (await findReassignment(tenantId, fromStaffId, reassignmentId))!;
      // The index lags behind the source's counter: give it a moment.
      if (++idle > 50) throw new ConflictError("the reassignment's source still owns members the index does not show yet; run the mover again");
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    await moveBatch(tenantId, r, batch);
    committed++;
    if (options.crashAfterBatches !== undefined && committed >= options.crashAfterBatches) throw new Error(`mover stopped after ${committed} batch(es) (test crash)`);
    r = { ...r, movedCount: r.movedCount + batch.length };
  }
}

interface Planned {
  ownership: Ownership;
  version: number;
}

/** The next members still owned by the source, with their member versions. */
async function sourceBatch(tenantId: string, r: Reassignment, size: number): Promise<Planned[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": staffKeys.owned(tenantId, r.fromStaffId) },
      Limit: size,
    }),
  );
  const owned = (out.Items ?? []).filter((i) => i.sk === OWNER_SK).map(fromOwnershipItem);
  if (owned.length === 0) return [];
  const members = await batchGet<{ memberId: string; version: number }>(owned.map((o) => keys.member(tenantId, o.memberId)), ["memberId", "version"]);
  const versions = new Map(members.map((m) => [m.memberId, m.version]));
  return owned.filter((o) => versions.has(o.memberId)).map((o) => ({ ownership: o, version: versions.get(o.memberId)! }));
}

async function moveBatch(tenantId: string, r: Reassignment, planned: Planned[]): Promise<void> {
  for (let attempt = 0; planned.length > 0; attempt++) {
    const now = new Date().toISOString();
    const items: TransactItem[] = [];
    const from: Record<string, number> = {};
    const to = new Map<string, Record<string, number>>();
    for (const { ownership: o, version } of planned) {
      const target = targetOf({ reassignmentId: r.reassignmentId, targets: r.targets }, o.memberId);
      const change: OwnershipChange = {
        changeId: newId("oc"),
        memberId: o.memberId,
        fromStaffId: r.fromStaffId,
        toStaffId: target,
        reason: "REASSIGNED",
        ...(r.note ? { note: r.note } : {}),
        actor: r.actor,
        reassignmentId: r.reassignmentId,
        changedAt: now,
      };
      items.push(
        {
          Update: {
            TableName: tableName(),
            Key: keys.member(tenantId, o.memberId),
            UpdateExpression: "ADD #ver :one",
            ConditionExpression: "#ver = :v",
            ExpressionAttributeNames: { "#ver": "version" },
            ExpressionAttributeValues: { ":one": 1, ":v": version },
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: ownershipItem(tenantId, { ...o, staffId: target, assignedAt: now }),
            ConditionExpression: "staffId = :from AND orderCount = :c",
            ExpressionAttributeValues: { ":from": r.fromStaffId, ":c": o.orderCount },
          },
        },
        { Put: { TableName: tableName(), Item: { ...staffKeys.ownershipChange(tenantId, o.memberId, now, change.changeId), tenantId, ...change } } },
      );
      const d = ownedDelta(o.memberId, o.orderCount, 1);
      addInto(from, d, -1);
      to.set(target, addInto(to.get(target) ?? {}, d));
    }
    items.push(
      counterUpdate(staffKeys.staff(tenantId, r.fromStaffId), {}, from),
      ...[...to].map(([staffId, add]) => counterUpdate(staffKeys.staff(tenantId, staffId), {}, add)),
      counterUpdate(staffKeys.reassignment(tenantId, r.fromStaffId, r.reassignmentId), {}, { movedCount: planned.length }),
    );
    try {
      await transact(items);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || attempt > 10) throw error;
      // A member changed (an order, a hand assignment) since it was read: read those afresh,
      // strongly consistent, and keep only the members the source still owns.
      planned = await replan(tenantId, r, planned);
    }
  }
}

async function replan(tenantId: string, r: Reassignment, planned: Planned[]): Promise<Planned[]> {
  const out: Planned[] = [];
  for (const p of planned) {
    const o = await findOwnership(tenantId, p.ownership.memberId, true);
    if (!o || o.staffId !== r.fromStaffId) continue;
    const m = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.member(tenantId, o.memberId), ConsistentRead: true, ProjectionExpression: "version" }));
    if (m.Item) out.push({ ownership: o, version: m.Item.version as number });
  }
  return out;
}

/** The last transaction: only when the source owns none (its counter, strongly consistent). */
async function finish(tenantId: string, r: Reassignment): Promise<boolean> {
  const now = new Date().toISOString();
  try {
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: staffKeys.staff(tenantId, r.fromStaffId),
          UpdateExpression: "REMOVE reassignment SET updatedAt = :now",
          ConditionExpression: "reassignment.reassignmentId = :id AND (attribute_not_exists(ownedCount) OR ownedCount = :zero)",
          ExpressionAttributeValues: { ":id": r.reassignmentId, ":zero": 0, ":now": now },
        },
      },
      ...r.targets.map(
        (t): TransactItem => ({
          Update: {
            TableName: tableName(),
            Key: staffKeys.staff(tenantId, t.staffId),
            UpdateExpression: "DELETE incoming :from SET updatedAt = :now",
            ExpressionAttributeValues: { ":from": new Set([r.fromStaffId]), ":now": now },
          },
        }),
      ),
      {
        Update: {
          TableName: tableName(),
          Key: staffKeys.reassignment(tenantId, r.fromStaffId, r.reassignmentId),
          UpdateExpression: "SET #status = :done, finishedAt = :now REMOVE gsi1pk, gsi1sk",
          ConditionExpression: "#status = :moving",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":done": "DONE", ":moving": "MOVING", ":now": now },
        },
      },
    ]);
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const current = await findReassignment(tenantId, r.fromStaffId, r.reassignmentId);
    return current?.status === "DONE";
  }
}

/** Starts a reassignment and runs its mover to the end (the mutation's path). */
export async function reassignStaffMembers(tenantId: string, input: ReassignInput, by: { actor: string }): Promise<Reassignment> {
  const r = await startReassignment(tenantId, input, by);
  return moveReassignment(tenantId, r.fromStaffId, r.reassignmentId);
}

/** Finishes every reassignment still MOVING (the `staff-reassign` task). */
export async function resumeReassignments(tenantId: string): Promise<{ resumed: string[] }> {
  const resumed: string[] = [];
  for (const r of await movingReassignments(tenantId)) {
    await moveReassignment(tenantId, r.fromStaffId, r.reassignmentId);
    resumed.push(r.reassignmentId);
  }
  return { resumed };
}

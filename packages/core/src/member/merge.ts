import { tableName } from "../db/client.js";
import { keys, SK } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { backoff, MAX_TRANSACTION_ITEMS, transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { buildUpdate } from "../db/update.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { ConflictError, RetryableError, ValidationError } from "../shared/errors.js";
import { piiWriter } from "../pii/cipher.js";
import { identityItem, memberKeyOf, tagItem } from "./child-items.js";
import { sealProfile } from "./item.js";
import { listIdentities, listTagRecords } from "./children.js";
import { findMember, getMember } from "./read.js";
import type { Member } from "./types.js";
import { MAX_TAGS_PER_MEMBER } from "./types.js";
import * as v from "./validate.js";
import { mergeActivityWrites } from "../segment/activity.js";
import { auditPut, newAuditEntry } from "../audit/index.js";

/** Room left in a transaction for moved child items after the two member updates and extras. */
const CHILD_ITEMS_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 10;
const PROFILE_FIELDS = ["name", "phone", "email", "birthday", "city", "customerNo"] as const;

interface ChildRef {
  kind: "ORDER" | "EVENT";
  pk: string;
  occurredAt: string;
  amountMinor: number;
  refundedMinor: number;
}

/**
 * Merges a duplicate member into a survivor: identities, orders, events, tags, referrals and
 * the points balance end up on the survivor, and the duplicate becomes a redirect to it.
 *
 * When everything fits in one transaction (up to ~90 moved items) the merge is all or nothing.
 * A duplicate with more history is moved in several transactions, each of which keeps both
 * members' stats equal to the items they hold; the last one flips the duplicate to MERGED.
 * If the process dies half-way, calling merge again with the same pair finishes the job.
 */
export async function mergeMembers(tenantId: string, survivorIdValue: string, duplicateIdValue: string, by: { actor: string }): Promise<Member> {
  const survivorId = v.memberId(survivorIdValue, "survivorId");
  const duplicateId = v.memberId(duplicateIdValue, "duplicateId");
  if (survivorId === duplicateId) throw new ValidationError("a member cannot be merged into itself", "duplicateId");
  for (let attempt = 0; attempt < 40; attempt++) {
    const [survivor, duplicate] = await Promise.all([getMember(tenantId, survivorId, true), getMember(tenantId, duplicateId, true)]);
    if (duplicate.status === "MERGED" && duplicate.mergedInto === survivorId) return survivor;
    if (survivor.status !== "ACTIVE") throw new ConflictError(`survivor ${survivorId} is ${survivor.status.toLowerCase()}`);
    if (duplicate.status !== "ACTIVE") throw new ConflictError(`duplicate ${duplicateId} is ${duplicate.status.toLowerCase()}`);
    try {
      const done = await mergeStep(tenantId, survivor, duplicate, by.actor);
      if (done) return getMember(tenantId, survivorId, true);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      await backoff(Math.min(attempt, 5)); // someone wrote one of the two members: plan again
    }
  }
  throw new RetryableError("the members kept changing during the merge; try again");
}

/** Moves one transaction's worth; returns true when the duplicate has been flipped to MERGED. */
async function mergeStep(tenantId: string, s: Member, d: Member, actor: string): Promise<boolean> {
  const table = tableName();
  const now = new Date().toISOString();
  const dPartition = keys.memberPartition(tenantId, d.memberId);
  const [identities, tags, children, referees] = await Promise.all([
    listIdentities(tenantId, d.memberId),
    listTagRecords(tenantId, d.memberId, true),
    Promise.all([
      queryAll<Record<string, unknown>>({ index: "gsi1", pk: dPartition, skPrefix: SK.order }),
      queryAll<Record<string, unknown>>({ index: "gsi1", pk: dPartition, skPrefix: SK.event }),
    ]),
    queryAll<Record<string, unknown>>({ index: "gsi3", pk: keys.referralsOf(tenantId, d.memberId) }),
  ]);
  const childRefs: ChildRef[] = [
    ...children[0].map((o) => ({ kind: "ORDER" as const, pk: o.pk as string, occurredAt: o.occurredAt as string, amountMinor: o.amountMinor as number, refundedMinor: o.refundedMinor as number })),
    ...children[1].map((e) => ({ kind: "EVENT" as const, pk: e.pk as string, occurredAt: e.occurredAt as string, amountMinor: 0, refundedMinor: 0 })),
  ];

  const moves: TransactItem[] = [];
  let included = 0;
  const sOut = { orders: 0, gross: 0, refunded: 0, events: 0, referrals: 0, first: s.firstOrderAt, last: s.lastOrderAt, active: s.lastActiveAt };
  const isMember = { ":d": d.memberId };

  for (const idn of identities) {
    if (moves.length >= CHILD_ITEMS_PER_TRANSACTION) break;
    const moved = identityItem(s, idn, idn.linkedAt);
    moves.push({
      Put: { TableName: table, Item: moved, ConditionExpression: "memberId = :d", ExpressionAttributeValues: isMember },
    });
    included++;
  }
  const sTags = new Set(s.tags);
  const newTags: string[] = [];
  for (const t of tags) {
    if (moves.length + 2 > CHILD_ITEMS_PER_TRANSACTION) break;
    moves.push({ Delete: { TableName: table, Key: keys.memberTag(tenantId, d.memberId, t.tag) } });
    included++;
    if (!sTags.has(t.tag) && sTags.size + newTags.length < MAX_TAGS_PER_MEMBER) {
      newTags.push(t.tag);
      moves.push({ Put: { TableName: table, Item: tagItem(s, t.tag, t.source, t.taggedAt) } });
    }
  }
  for (const c of childRefs) {
    if (moves.length >= CHILD_ITEMS_PER_TRANSACTION) break;
    const sort = c.kind === "ORDER" ? keys.orderSort(c.occurredAt, c.pk.split("#").pop()!) : keys.eventSort(c.occurredAt, c.pk.split("#").pop()!);
    moves.push({
      Update: {
        TableName: table,
        Key: { pk: c.pk, sk: c.kind },
        ...buildUpdate({
          set: { memberId: s.memberId, gsi1pk: keys.memberPartition(tenantId, s.memberId), gsi1sk: sort },
          condition: "memberId = :d",
          values: isMember,
        }),
      },
    });
    included++;
    if (c.kind === "ORDER") {
      sOut.orders += 1;
      sOut.gross += c.amountMinor;
      sOut.refunded += c.refundedMinor;
      sOut.first = !sOut.first || c.occurredAt < sOut.first ? c.occurredAt : sOut.first;
      sOut.last = !sOut.last || c.occurredAt > sOut.last ? c.occurredAt : sOut.last;
    } else sOut.events += 1;
    sOut.active = !sOut.active || c.occurredAt > sOut.active ? c.occurredAt : sOut.active;
  }
  for (const r of referees) {
    if (moves.length >= CHILD_ITEMS_PER_TRANSACTION) break;
    if (r.memberId === s.memberId) {
      // The duplicate referred the survivor: that link cannot survive the merge.
      included++;
      continue;
    }
    moves.push({
      Update: {
        TableName: table,
        Key: keys.member(tenantId, r.memberId as string),
        ...buildUpdate({ set: { referrerId: s.memberId, gsi3pk: keys.referralsOf(tenantId, s.memberId) }, condition: "referrerId = :d", values: isMember }),
      },
    });
    sOut.referrals += 1;
    included++;
  }

  const movedEverything = included === identities.length + tags.length + childRefs.length + referees.length;
  const survivorWasReferredByDuplicate = s.referrerId === d.memberId;
  const sUpdate = {
    add: {
      orderCount: sOut.orders,
      grossSpendMinor: sOut.gross,
      refundedMinor: sOut.refunded,
      eventCount: sOut.events,
      referralCount: sOut.referrals,
      version: 1,
    } as Record<string, number>,
    set: { firstOrderAt: sOut.first, lastOrderAt: sOut.last, lastActiveAt: sOut.active, tags: [...s.tags, ...newTags], updatedAt: now } as Record<string, unknown>,
  };
  const dUpdate = {
    add: { orderCount: -sOut.orders, grossSpendMinor: -sOut.gross, refundedMinor: -sOut.refunded, eventCount: -sOut.events, referralCount: -sOut.referrals, version: 1 } as Record<string, number>,
    set: { tags: d.tags.filter((t) => !tags.some((m) => m.tag === t)), updatedAt: now } as Record<string, unknown>,
    remove: [] as string[],
  };
  const extras: TransactItem[] = [];
  if (survivorWasReferredByDuplicate && movedEverything) {
    // The duplicate referred the survivor: after the merge that would be a self-referral.
    sUpdate.set.referrerId = undefined;
  }
  if (movedEverything) {
    // Final step: profile gaps filled from the duplicate, points moved, duplicate redirected.
    const cipher = await piiWriter(tenantId);
    for (const field of PROFILE_FIELDS) {
      const value = d[field];
      if (value && !s[field]) {
        sUpdate.set[field] = field === "phone" || field === "email" ? sealProfile(cipher, { [field]: value })[field] : value;
        if (field === "phone" || field === "customerNo") {
          const kind = field === "phone" ? "PHONE" : "CUSTOMER_NO";
          extras.push({
            Update: { TableName: table, Key: memberKeyOf(cipher, kind, value), ...buildUpdate({ set: { memberId: s.memberId }, condition: "memberId = :d", values: isMember }) },
          });
        }
      }
    }
    if (s.gender === "UNKNOWN" && d.gender !== "UNKNOWN") sUpdate.set.gender = d.gender;
    if (!s.referrerId && d.referrerId && d.referrerId !== s.memberId && !(await referredBy(tenantId, d.referrerId, s.memberId))) {
      Object.assign(sUpdate.set, { referrerId: d.referrerId, referredAt: d.referredAt, gsi3pk: keys.referralsOf(tenantId, d.referrerId), gsi3sk: keys.joinedSort(s.joinedAt, s.memberId) });
    }
    if (d.pointsBalance !== 0) {
      sUpdate.add.pointsBalance = d.pointsBalance;
      dUpdate.add.pointsBalance = -d.pointsBalance;
      const out = newPointsEntry({ tenantId, memberId: d.memberId, type: "MERGE_OUT", points: -d.pointsBalance, relatedMemberId: s.memberId, actor });
      const inn = newPointsEntry({ tenantId, memberId: s.memberId, type: "MERGE_IN", points: d.pointsBalance, relatedMemberId: d.memberId, actor });
      extras.push({ Put: { TableName: table, Item: pointsEntryItem(out) } }, { Put: { TableName: table, Item: pointsEntryItem(inn) } });
    }
    // The duplicate's daily buckets (segment windows) join the survivor's.
    extras.push(...(await mergeActivityWrites(tenantId, s.memberId, d.memberId)));
    Object.assign(dUpdate.set, { status: "MERGED", mergedInto: s.memberId });
    // The duplicate keeps its own profile; the survivor remembers it so an erasure reaches it.
    sUpdate.set.mergedFrom = [...new Set([...(s.mergedFrom ?? []), d.memberId, ...(d.mergedFrom ?? [])])];
    // The audit entry lands with the step that completes the merge.
    extras.push(auditPut(newAuditEntry(tenantId, { action: "MEMBERS_MERGED", actor, target: `member:${d.memberId}`, detail: `merged into ${s.memberId}` })));
    dUpdate.remove.push("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk");
    if (d.referrerId) {
      // The duplicate no longer counts as a referral of its referrer.
      extras.push({ Update: { TableName: table, Key: keys.member(tenantId, d.referrerId), UpdateExpression: "ADD referralCount :m", ExpressionAttributeValues: { ":m": -1 } } });
    }
  }

  const items: TransactItem[] = [
    {
      Update: {
        TableName: table,
        Key: keys.member(tenantId, s.memberId),
        ...buildUpdate({ ...sUpdate, condition: "version = :sv AND #st = :active", names: { "#st": "status" }, values: { ":sv": s.version, ":active": "ACTIVE" } }),
      },
    },
    {
      Update: {
        TableName: table,
        Key: keys.member(tenantId, d.memberId),
        ...buildUpdate({ ...dUpdate, condition: "version = :dv AND #st = :active", names: { "#st": "status" }, values: { ":dv": d.version, ":active": "ACTIVE" } }),
      },
    },
    ...moves,
    ...extras,
  ];
  await transact(items);
  return movedEverything;
}

/** True if `memberId` is somewhere up the referral chain of `start` (merging would make a cycle). */
async function referredBy(tenantId: string, start: string, memberId: string): Promise<boolean> {
  let current = await findMember(tenantId, start);
  for (let depth = 0; current && depth < 50; depth++) {
    if (current.memberId === memberId) return true;
    if (!current.referrerId) return false;
    current = await findMember(tenantId, current.referrerId);
  }
  return false;
}

import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { batchDelete } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys, type Keys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { removeFromClvSnapshots } from "../metrics/clv-job/store.js";
import { referralKeys } from "../referral/keys.js";

/**
 * What erasure does to each copy derived from a member (docs/erasure.md has the reasons):
 * deleted when it only serves reaching or targeting the person, anonymised (the member's id and
 * any link to the person removed, the item kept) when an aggregate or another party's record
 * depends on it existing.
 */
export interface ErasedCopies {
  /** Deleted: membership items of every segment version (gsi1 `SEGMENT#`). */
  segmentMemberships: number;
  /** Deleted: journey outbox touches, pending or sent (gsi1 `TOUCH#`). */
  outboxTouches: number;
  /** Deleted: journey frequency caps (`JCAP#`). */
  frequencyCaps: number;
  /** Deleted: content reach markers (`CREACH#`); the content's reach counters stay. */
  reachMarkers: number;
  /** Deleted: per-campaign funnel items (`CFUNNEL#`); the campaign's results counters stay. */
  campaignFunnels: number;
  /** Deleted: coupon claim counters (`COUPONCLAIM#`). */
  couponClaims: number;
  /** Deleted: the member's invite codes (their `INVITE#` items and the codes themselves). */
  inviteCodes: number;
  /** Anonymised: coupons issued to the member keep their code, status and counters but lose `memberId` and the member's list entry. */
  couponsAnonymised: number;
  /** Anonymised: the member's referral record (as invitee) keeps status and points for the counts, loses code and list entries. */
  referralsAnonymised: number;
  /** CLV snapshots whose top-member list named the member (the entry is removed). */
  clvSnapshots: number;
  /** Anonymised: the member's service tickets keep status, times and assignee (service metrics) but lose their subject, description and every message of their timeline (the member's own words). */
  ticketsAnonymised: number;
}

type Item = Record<string, unknown> & Keys;

const DELETE_OWN: [prefix: string, field: keyof ErasedCopies][] = [
  ["JCAP#", "frequencyCaps"],
  ["CREACH#", "reachMarkers"],
  ["CFUNNEL#", "campaignFunnels"],
  ["COUPONCLAIM#", "couponClaims"],
  ["INVITE#", "inviteCodes"],
];

/**
 * Removes or anonymises every derived copy of an erased member (and of the duplicates merged
 * into it). Every step is idempotent: eraseMember runs it after the member is flipped to ERASED,
 * and again when called for an already erased member, so a crash half-way is finished by
 * erasing again. Cost: nine small queries per member (by sort-key prefix, so a long order
 * history is not read) and one write per copy.
 */
export async function eraseDerivedCopies(tenantId: string, memberIds: readonly string[]): Promise<ErasedCopies> {
  const counts: ErasedCopies = {
    segmentMemberships: 0,
    outboxTouches: 0,
    frequencyCaps: 0,
    reachMarkers: 0,
    campaignFunnels: 0,
    couponClaims: 0,
    inviteCodes: 0,
    couponsAnonymised: 0,
    referralsAnonymised: 0,
    clvSnapshots: 0,
    ticketsAnonymised: 0,
  };
  const table = tableName();
  for (const memberId of memberIds) {
    const partition = keys.memberPartition(tenantId, memberId);
    // By prefix: the partitions also hold orders, events and the ledger, which can be long and stay.
    const [own, indexed] = await Promise.all([
      Promise.all([...DELETE_OWN.map(([prefix]) => prefix), "REFERRAL"].map((skPrefix) => queryAll<Item>({ pk: partition, skPrefix }, true))).then((l) => l.flat()),
      Promise.all(["SEGMENT#", "TOUCH#", "COUPON#", "TICKET#"].map((skPrefix) => queryAll<Item>({ index: "gsi1", pk: partition, skPrefix }))).then((l) => l.flat()),
    ]);
    const deletes: Keys[] = [];
    for (const item of own) {
      const rule = DELETE_OWN.find(([prefix]) => item.sk.startsWith(prefix));
      if (!rule) continue;
      deletes.push({ pk: item.pk, sk: item.sk });
      counts[rule[1]]++;
      // The code item maps the code to the member: it goes with the member's copy.
      if (rule[0] === "INVITE#" && typeof item.code === "string") deletes.push(referralKeys.code(tenantId, item.code));
    }
    for (const item of indexed) {
      const sk = String(item.gsi1sk);
      if (sk.startsWith("SEGMENT#")) {
        deletes.push({ pk: item.pk, sk: item.sk });
        counts.segmentMemberships++;
      } else if (sk.startsWith("TOUCH#")) {
        deletes.push({ pk: item.pk, sk: item.sk });
        counts.outboxTouches++;
      } else if (sk.startsWith("COUPON#")) {
        if (await anonymise(table, item, memberId, "memberId = :me", ["memberId", "gsi1pk", "gsi1sk"], { memberErased: true })) counts.couponsAnonymised++;
      } else if (sk.startsWith("TICKET#")) {
        if (await eraseTicketTexts(table, item)) counts.ticketsAnonymised++;
      }
    }
    const referral = own.find((i) => i.sk === "REFERRAL");
    if (referral && (await anonymise(table, referral, memberId, "inviteeId = :me", ["code", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"], { inviteeErased: true }))) {
      counts.referralsAnonymised++;
    }
    await batchDelete(deletes);
  }
  counts.clvSnapshots = await removeFromClvSnapshots(tenantId, memberIds);
  return counts;
}

const ERASED_SUBJECT = "[erased]";

/**
 * A ticket of an erased member loses what the member wrote or was told: subject, description and
 * the timeline's messages. The revision moves, so a ticket write planned from before fails its
 * condition and plans again from the erased item (no text comes back). Idempotent.
 */
async function eraseTicketTexts(table: string, ticket: Item): Promise<boolean> {
  let changed = false;
  if (ticket.subject !== ERASED_SUBJECT || "description" in ticket) {
    await documentClient().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: ticket.pk, sk: ticket.sk },
        UpdateExpression: "SET subject = :erased, memberErased = :yes, revision = revision + :one REMOVE description",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":erased": ERASED_SUBJECT, ":yes": true, ":one": 1 },
      }),
    );
    changed = true;
  }
  for (const entry of await queryAll<Item>({ pk: ticket.pk, skPrefix: "LOG#" }, true)) {
    if (!("message" in entry)) continue;
    await documentClient().send(new UpdateCommand({ TableName: table, Key: { pk: entry.pk, sk: entry.sk }, UpdateExpression: "REMOVE message" }));
    changed = true;
  }
  return changed;
}

async function anonymise(table: string, item: Item, memberId: string, condition: string, remove: string[], set: Record<string, unknown>): Promise<boolean> {
  const present = remove.filter((a) => a in item);
  if (present.length === 0) return false; // done by an earlier run
  const names = Object.fromEntries([...present, ...Object.keys(set)].map((a, i) => [`#a${i}`, a]));
  const byName = Object.fromEntries(Object.entries(names).map(([k, v]) => [v, k]));
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${Object.keys(set).map((a, i) => `${byName[a]} = :s${i}`).join(", ")} REMOVE ${present.map((a) => byName[a]).join(", ")}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":me": memberId, ...Object.fromEntries(Object.values(set).map((v, i) => [`:s${i}`, v])) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

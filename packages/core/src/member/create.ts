import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { newId } from "../shared/ids.js";
import { piiWriter } from "../pii/cipher.js";
import { getSettings } from "../tenant/settings.js";
import { consentItem, identityItem, memberKeyItem, tagItem } from "./child-items.js";
import { listShardOf, memberItem } from "./item.js";
import { memberIdByIdentity, memberIdByKey } from "./read.js";
import type { IdentityRef, Member } from "./types.js";
import { MAX_IDENTITIES_PER_MEMBER } from "./types.js";
import * as v from "./validate.js";

export interface CreateMemberInput extends v.ProfileFields {
  /** Client-chosen id (imports); generated when absent. */
  memberId?: string | null;
  sourceChannel: string;
  tier?: string | null;
  tags?: string[] | null;
  marketingConsent?: boolean | null;
  partnerSharingConsent?: boolean | null;
  referrerId?: string | null;
  identities?: IdentityRef[] | null;
}

export interface Actor {
  /** Who did it (principal id), for history records. */
  actor: string;
  /** Where it came from (a channel, "CONSOLE", "IMPORT"). */
  source?: string;
}

/**
 * Creates a member with its unique keys (phone, customer number), channel identities, tags,
 * consent history and the referrer's counter in one transaction: any conflict leaves nothing.
 */
export async function createMember(tenantId: string, input: CreateMemberInput, by: Actor): Promise<Member> {
  const { member, items } = await planCreate(tenantId, input, by);
  try {
    await transact(items);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw await explainConflict(tenantId, member, input, error);
    throw error;
  }
  return member;
}

export async function planCreate(tenantId: string, input: CreateMemberInput, by: Actor) {
  const [settings, cipher] = await Promise.all([getSettings(tenantId), piiWriter(tenantId)]);
  const p = v.profile({ ...input, sourceChannel: input.sourceChannel });
  if (!p.sourceChannel) throw new ValidationError("sourceChannel is required", "sourceChannel");
  const now = new Date().toISOString();
  const memberId = input.memberId ? v.memberId(input.memberId) : newId("m");
  const identities = dedupeIdentities((input.identities ?? []).map(v.identity));
  if (identities.length > MAX_IDENTITIES_PER_MEMBER) throw new ValidationError(`at most ${MAX_IDENTITIES_PER_MEMBER} identities`, "identities");
  const tags = v.tags(input.tags);
  const referrerId = input.referrerId ? v.memberId(input.referrerId, "referrerId") : undefined;
  if (referrerId === memberId) throw new ValidationError("a member cannot refer themselves", "referrerId");

  const member: Member = {
    tenantId,
    memberId,
    status: "ACTIVE",
    name: p.name ?? undefined,
    phone: p.phone ?? undefined,
    email: p.email ?? undefined,
    gender: p.gender ?? "UNKNOWN",
    birthday: p.birthday ?? undefined,
    city: p.city ?? undefined,
    customerNo: p.customerNo ?? undefined,
    sourceChannel: p.sourceChannel,
    joinedAt: p.joinedAt ?? now,
    listShard: listShardOf(memberId, settings.memberListShards),
    tier: input.tier ? v.tier(input.tier) : "SILENT",
    tags,
    marketingConsent: input.marketingConsent ?? false,
    partnerSharingConsent: input.partnerSharingConsent ?? false,
    referrerId,
    referredAt: referrerId ? now : undefined,
    referralCount: 0,
    orderCount: 0,
    grossSpendMinor: 0,
    refundedMinor: 0,
    eventCount: 0,
    pointsBalance: 0,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };

  const table = tableName();
  const notExists = "attribute_not_exists(pk)";
  const items: TransactItem[] = [{ Put: { TableName: table, Item: memberItem(member, cipher), ConditionExpression: notExists } }];
  if (member.phone) {
    items.push({ Put: { TableName: table, Item: memberKeyItem(cipher, "PHONE", member.phone, memberId, now), ConditionExpression: notExists } });
  }
  if (member.customerNo) {
    items.push({ Put: { TableName: table, Item: memberKeyItem(cipher, "CUSTOMER_NO", member.customerNo, memberId, now), ConditionExpression: notExists } });
  }
  for (const ref of identities) {
    items.push({ Put: { TableName: table, Item: identityItem(member, ref, now), ConditionExpression: notExists } });
  }
  for (const tag of tags) items.push({ Put: { TableName: table, Item: tagItem(member, tag, by.source === "IMPORT" ? "IMPORT" : "MANUAL", now) } });
  for (const [kind, granted] of [["MARKETING", input.marketingConsent], ["PARTNER_SHARING", input.partnerSharingConsent]] as const) {
    if (granted === null || granted === undefined) continue;
    const change = { memberId, changeId: newId("c"), kind, granted, source: by.source ?? p.sourceChannel, actor: by.actor, changedAt: now };
    items.push({ Put: { TableName: table, Item: consentItem(tenantId, change) } });
  }
  if (referrerId) {
    items.push({
      Update: {
        TableName: table,
        Key: keys.member(tenantId, referrerId),
        UpdateExpression: "ADD referralCount :one SET updatedAt = :now",
        ConditionExpression: "#status = :active",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":one": 1, ":now": now, ":active": "ACTIVE" },
      },
    });
  }
  return { member, items, identities, cipher };
}

function dedupeIdentities(list: IdentityRef[]): IdentityRef[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.channel}\u0000${r.externalId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Turns a cancelled create into the conflict a client can act on. */
async function explainConflict(tenantId: string, member: Member, input: CreateMemberInput, error: TransactionCancelled) {
  if (error.failedCondition(0)) return new ConflictError(`member ${member.memberId} already exists`, { memberId: member.memberId });
  if (member.phone) {
    const owner = await memberIdByKey(tenantId, "PHONE", member.phone);
    if (owner && owner !== member.memberId) return new ConflictError("this phone number belongs to another member", { memberId: owner, field: "phone" });
  }
  if (member.customerNo) {
    const owner = await memberIdByKey(tenantId, "CUSTOMER_NO", member.customerNo);
    if (owner && owner !== member.memberId) return new ConflictError("this customer number belongs to another member", { memberId: owner, field: "customerNo" });
  }
  for (const ref of input.identities ?? []) {
    const owner = await memberIdByIdentity(tenantId, ref.channel, ref.externalId.trim());
    if (owner && owner !== member.memberId) {
      return new ConflictError(`the ${ref.channel} identity ${ref.externalId} belongs to another member`, { memberId: owner, field: "identities" });
    }
  }
  if (member.referrerId) return new ValidationError(`referrer ${member.referrerId} is not an active member`, "referrerId");
  return new ConflictError("the member could not be created because of a concurrent change; try again");
}

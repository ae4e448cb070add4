import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { identityItem } from "./child-items.js";
import { listIdentities } from "./children.js";
import { createMember, type Actor } from "./create.js";
import { changeMember } from "./mutate.js";
import { getMember, memberByKey, memberIdByIdentity } from "./read.js";
import { MAX_IDENTITIES_PER_MEMBER, type IdentityRef, type Member } from "./types.js";
import * as v from "./validate.js";
import { normalisePhone } from "../shared/contact.js";
import { cleanText } from "../shared/text.js";

/**
 * Links a channel identity to a member. The identity item's key is the external id, written
 * with attribute_not_exists: if two members race for the same id, exactly one wins.
 * Linking an id the member already has is a no-op.
 */
export async function linkIdentity(tenantId: string, memberId: string, ref: IdentityRef): Promise<Member> {
  const identity = v.identity(ref);
  const owner = await memberIdByIdentity(tenantId, identity.channel, identity.externalId);
  if (owner === memberId) return getMember(tenantId, memberId);
  if (owner) throw taken(identity, owner);
  return changeMember(tenantId, memberId, async (member) => {
    const existing = await listIdentities(tenantId, memberId);
    if (existing.length >= MAX_IDENTITIES_PER_MEMBER) throw new ValidationError(`a member may have at most ${MAX_IDENTITIES_PER_MEMBER} identities`, "externalId");
    const now = new Date().toISOString();
    return {
      member: {},
      items: [{ Put: { TableName: tableName(), Item: identityItem(member, identity, now), ConditionExpression: "attribute_not_exists(pk)" } }],
      result: { ...member, version: member.version + 1, updatedAt: now },
      explain: async () => {
        const winner = await memberIdByIdentity(tenantId, identity.channel, identity.externalId);
        return winner && winner !== memberId ? taken(identity, winner) : new ConflictError("the identity changed at the same time; try again");
      },
    };
  });
}

export async function unlinkIdentity(tenantId: string, memberId: string, ref: IdentityRef): Promise<Member> {
  const identity = v.identity(ref);
  return changeMember(tenantId, memberId, (member) => ({
    member: {},
    items: [
      {
        Delete: {
          TableName: tableName(),
          Key: keys.identity(tenantId, identity.channel, identity.externalId),
          ConditionExpression: "memberId = :me",
          ExpressionAttributeValues: { ":me": memberId },
        },
      },
    ],
    result: { ...member, version: member.version + 1 },
    explain: () => new NotFoundError("Identity", `${identity.channel}:${identity.externalId} of member ${memberId}`),
  }));
}

export interface BindCardInput {
  phone: string;
  cardNo: string;
  storeId?: string | null;
  name?: string | null;
}

/**
 * At the store counter: find the member by phone (registering one if the phone is new) and
 * bind the offline member card as their STORE identity.
 */
export async function bindMemberCard(tenantId: string, input: BindCardInput, by: Actor): Promise<{ member: Member; created: boolean }> {
  const phone = normalisePhone(input.phone);
  const card = v.identity({ channel: "STORE", externalId: input.cardNo });
  const found = await memberByKey(tenantId, "PHONE", phone);
  if (found) {
    if (found.status !== "ACTIVE") throw new ConflictError(`member ${found.memberId} is ${found.status.toLowerCase()}`);
    return { member: await linkIdentity(tenantId, found.memberId, card), created: false };
  }
  const member = await createMember(
    tenantId,
    { phone, name: cleanText(input.name, "name", 100), sourceChannel: "STORE", identities: [card] },
    { ...by, source: "STORE" },
  );
  return { member, created: true };
}

function taken(ref: IdentityRef, owner: string) {
  return new ConflictError(`the ${ref.channel} identity ${ref.externalId} belongs to another member`, { memberId: owner, field: "externalId" });
}

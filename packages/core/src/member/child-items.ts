import { keys, type Keys } from "../db/keys.js";
import type { PiiCipher } from "../pii/cipher.js";
import type { ConsentChange, IdentityRef, Member } from "./types.js";

/** Items that hang off a member and copy its list position (join time, shard). */
type Position = Pick<Member, "tenantId" | "memberId" | "joinedAt" | "listShard">;

export function identityItem(m: Position, ref: IdentityRef, linkedAt: string) {
  return {
    ...keys.identity(m.tenantId, ref.channel, ref.externalId),
    gsi1pk: keys.memberPartition(m.tenantId, m.memberId),
    gsi1sk: keys.identitySort(ref.channel, ref.externalId),
    gsi2pk: keys.membersByChannel(m.tenantId, ref.channel, m.listShard),
    gsi2sk: `${keys.joinedSort(m.joinedAt, m.memberId)}#${ref.externalId}`,
    tenantId: m.tenantId,
    memberId: m.memberId,
    channel: ref.channel,
    externalId: ref.externalId,
    joinedAt: m.joinedAt,
    linkedAt,
  };
}

export function tagItem(m: Position, tag: string, source: "MANUAL" | "RULE" | "IMPORT", taggedAt: string) {
  return {
    ...keys.memberTag(m.tenantId, m.memberId, tag),
    gsi2pk: keys.membersByTag(m.tenantId, tag, m.listShard),
    gsi2sk: keys.joinedSort(m.joinedAt, m.memberId),
    tenantId: m.tenantId,
    memberId: m.memberId,
    tag,
    source,
    joinedAt: m.joinedAt,
    taggedAt,
  };
}

/**
 * The unique-key item of a phone or customer number. A phone is keyed by its blind index
 * (HMAC under the tenant's index key), never by the number: no item holds a plaintext phone.
 * The customer number is the brand's own reference, not personal contact data, and stays.
 */
export function memberKeyOf(cipher: PiiCipher, kind: "PHONE" | "CUSTOMER_NO", value: string): Keys {
  return keys.memberKey(cipher.tenantId, kind, kind === "PHONE" ? cipher.blindIndex("PHONE", value) : value);
}

export function memberKeyItem(cipher: PiiCipher, kind: "PHONE" | "CUSTOMER_NO", value: string, memberId: string, at: string) {
  return { ...memberKeyOf(cipher, kind, value), tenantId: cipher.tenantId, kind, ...(kind === "PHONE" ? {} : { value }), memberId, createdAt: at };
}

export function consentItem(tenantId: string, change: ConsentChange) {
  return { ...keys.consentChange(tenantId, change.memberId, change.changeId), tenantId, ...change };
}

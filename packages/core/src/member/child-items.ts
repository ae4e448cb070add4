import { keys } from "../db/keys.js";
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

export function memberKeyItem(tenantId: string, kind: "PHONE" | "CUSTOMER_NO", value: string, memberId: string, at: string) {
  return { ...keys.memberKey(tenantId, kind, value), tenantId, kind, value, memberId, createdAt: at };
}

export function consentItem(tenantId: string, change: ConsentChange) {
  return { ...keys.consentChange(tenantId, change.memberId, change.changeId), tenantId, ...change };
}

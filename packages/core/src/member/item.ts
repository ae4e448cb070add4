import { createHash } from "node:crypto";
import { keys, stripKeys, type IndexKeys, type Keys } from "../db/keys.js";
import type { Member } from "./types.js";

/** Stable shard of a member in the tenant-wide lists: a hash, so shards fill evenly. */
export function listShardOf(memberId: string, shards: number): string {
  const h = createHash("sha1").update(memberId).digest();
  return String(h.readUInt32BE(0) % shards);
}

/** The list-index keys a member item carries. Merged members leave every list. */
export function memberIndexKeys(m: Pick<Member, "tenantId" | "memberId" | "status" | "joinedAt" | "listShard" | "tier" | "referrerId">): IndexKeys {
  if (m.status === "MERGED") return {};
  const sort = keys.joinedSort(m.joinedAt, m.memberId);
  return {
    gsi1pk: keys.membersByJoined(m.tenantId, m.listShard),
    gsi1sk: sort,
    gsi2pk: keys.membersByTier(m.tenantId, m.tier, m.listShard),
    gsi2sk: sort,
    ...(m.referrerId ? { gsi3pk: keys.referralsOf(m.tenantId, m.referrerId), gsi3sk: sort } : {}),
  };
}

export function memberItem(m: Member): Member & Keys & IndexKeys {
  return { ...keys.member(m.tenantId, m.memberId), ...memberIndexKeys(m), ...m };
}

export function fromMemberItem(item: Record<string, unknown>): Member {
  const m = stripKeys(item) as unknown as Member;
  return { ...m, tags: m.tags ?? [] };
}

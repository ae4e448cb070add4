import { createHash } from "node:crypto";
import { keys, stripKeys, type IndexKeys, type Keys } from "../db/keys.js";
import { ENCRYPTED_FIELDS, isEncrypted, piiReader, type PiiCipher } from "../pii/cipher.js";
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

/** The member as stored: phone and email encrypted with the tenant's current data key (`piiWriter`). */
export function memberItem(m: Member, cipher: PiiCipher): Member & Keys & IndexKeys {
  return { ...keys.member(m.tenantId, m.memberId), ...memberIndexKeys(m), ...m, ...sealProfile(cipher, m) };
}

/**
 * The encrypted fields of a profile change (a member, or the SET of an update), encrypted;
 * other fields are not returned. Everything that writes a phone or email goes through here.
 */
export function sealProfile(cipher: PiiCipher, fields: Partial<Record<(typeof ENCRYPTED_FIELDS)[number], unknown>>): Partial<Record<(typeof ENCRYPTED_FIELDS)[number], string>> {
  const out: Partial<Record<(typeof ENCRYPTED_FIELDS)[number], string>> = {};
  for (const f of ENCRYPTED_FIELDS) {
    const value = fields[f];
    if (typeof value === "string") out[f] = cipher.encrypt(f, value);
  }
  return out;
}

/**
 * A stored member item back to a Member, phone and email decrypted (the cipher must hold their
 * versions) when first read: most screens show neither, and a page of 50 members with their
 * referrers would otherwise decrypt up to 200 values it never sends. The fields stay ordinary
 * enumerable properties (spread, JSON and assignment see plaintext).
 */
export function fromMemberItem(item: Record<string, unknown>, cipher: PiiCipher): Member {
  const out = stripKeys(item) as unknown as Member;
  out.tags ??= [];
  for (const f of ENCRYPTED_FIELDS) {
    const stored = out[f];
    if (isEncrypted(stored)) decryptOnRead(out, f, () => cipher.decrypt(f, stored));
  }
  return out;
}

function decryptOnRead(member: Member, field: (typeof ENCRYPTED_FIELDS)[number], decrypt: () => string): void {
  const settle = (value: unknown) => Object.defineProperty(member, field, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(member, field, {
    enumerable: true,
    configurable: true,
    get: () => {
      const plaintext = decrypt();
      settle(plaintext);
      return plaintext;
    },
    set: settle,
  });
}

/** Many stored member items back to Members: keys not yet unwrapped are loaded first (no request in steady state). */
export async function fromMemberItems(tenantId: string, items: readonly Record<string, unknown>[]): Promise<Member[]> {
  if (items.length === 0) return [];
  const cipher = await piiReader(tenantId, items.flatMap((i) => ENCRYPTED_FIELDS.map((f) => i[f])));
  return items.map((i) => fromMemberItem(i, cipher));
}

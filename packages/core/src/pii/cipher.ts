import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { cachedDataKey, cachedIndexKey, dataKey, indexKey, keyring } from "./keyring.js";

/** Personal fields kept encrypted at rest on the member item. */
export const ENCRYPTED_FIELDS = ["phone", "email"] as const;
export type EncryptedField = (typeof ENCRYPTED_FIELDS)[number];

/** What a blind index is kept for (lookup and uniqueness by phone). */
export type IndexedKind = "PHONE";

const PREFIX = "pii1";

/**
 * Encrypts and decrypts one tenant's personal fields, and computes their blind index. The
 * ciphertext is `pii1.<key version>.<base64url(iv ‖ ciphertext ‖ tag)>`, AES-256-GCM with a
 * random 96-bit IV and the tenant and field name as additional data (a ciphertext moved to
 * another tenant or field fails to decrypt). The version tells a reader which data key to use,
 * so ciphertexts under several versions can be read side by side during a rotation.
 *
 * Made by `piiWriter` (knows the current version: can encrypt) or `piiReader` (holds the
 * versions of the values it was given); both can blind-index. Every operation is synchronous
 * and costs microseconds: the keys were unwrapped before.
 */
export interface PiiCipher {
  readonly tenantId: string;
  /** The version new ciphertexts get (writers only). */
  readonly version: number | undefined;
  encrypt(field: EncryptedField, plaintext: string): string;
  /** Plaintext of a stored value; a value stored before encryption existed is returned as it is. */
  decrypt(field: EncryptedField, stored: string): string;
  /** HMAC-SHA256 of the normalised value under the tenant's index key, base64url. */
  blindIndex(kind: IndexedKind, normalised: string): string;
}

export const isEncrypted = (stored: unknown): stored is string => typeof stored === "string" && stored.startsWith(`${PREFIX}.`);

/** The key version a stored value was encrypted with (undefined for a plaintext legacy value). */
export function versionOf(stored: string): number | undefined {
  if (!isEncrypted(stored)) return undefined;
  const version = Number(stored.split(".")[1]);
  return Number.isInteger(version) && version > 0 ? version : undefined;
}

const additional = (tenantId: string, field: string) => Buffer.from(`${tenantId}|${field}`);

function cipherOf(tenantId: string, version: number | undefined, index: Buffer | undefined): PiiCipher {
  return {
    tenantId,
    version,
    encrypt(field, plaintext) {
      if (version === undefined) throw new Error("this cipher was made for reading: use piiWriter to encrypt");
      const key = cachedDataKey(tenantId, version)!;
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      c.setAAD(additional(tenantId, field));
      const body = Buffer.concat([iv, c.update(plaintext, "utf8"), c.final(), c.getAuthTag()]);
      return `${PREFIX}.${version}.${body.toString("base64url")}`;
    },
    decrypt(field, stored) {
      const v = versionOf(stored);
      if (v === undefined) return stored;
      const key = cachedDataKey(tenantId, v);
      if (!key) throw new Error(`key version ${v} of tenant ${tenantId} was not loaded (read through piiReader)`);
      const raw = Buffer.from(stored.slice(stored.indexOf(".", PREFIX.length + 1) + 1), "base64url");
      const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      d.setAAD(additional(tenantId, field));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
    },
    blindIndex(kind, normalised) {
      if (!index) throw new Error("this cipher was made for decrypting: use piiIndexer or piiWriter for a blind index");
      return createHmac("sha256", index).update(`${kind}:${normalised}`).digest("base64url");
    },
  };
}

/** A cipher that encrypts with the tenant's current key version (the keyring is re-read at most once a minute). */
export async function piiWriter(tenantId: string): Promise<PiiCipher> {
  const ring = await keyring(tenantId);
  const [, index] = await Promise.all([dataKey(tenantId, ring.current), indexKey(tenantId)]);
  return cipherOf(tenantId, ring.current, index);
}

/**
 * A cipher that can decrypt the given stored values. Keys already unwrapped cost nothing: a
 * read in steady state makes no DynamoDB or KMS request for keys at all, and a read never
 * creates a keyring (values without ciphertext need no key).
 */
export async function piiReader(tenantId: string, stored: Iterable<unknown> = []): Promise<PiiCipher> {
  const versions = new Set<number>();
  for (const value of stored) {
    const v = isEncrypted(value) ? versionOf(value) : undefined;
    if (v !== undefined && !cachedDataKey(tenantId, v)) versions.add(v);
  }
  await Promise.all([...versions].map((v) => dataKey(tenantId, v)));
  return cipherOf(tenantId, undefined, cachedIndexKey(tenantId));
}

/**
 * A cipher for blind indexes (lookups by phone), or undefined when the tenant has never stored
 * personal data (then nothing can match, and no keyring is created by a lookup). No request
 * once the index key is unwrapped.
 */
export async function piiIndexer(tenantId: string): Promise<PiiCipher | undefined> {
  const index = await indexKey(tenantId, { create: false });
  return index ? cipherOf(tenantId, undefined, index) : undefined;
}

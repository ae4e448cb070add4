import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { scanSegment } from "../jobs/scan.js";
import { ConflictError } from "../shared/errors.js";
import { ENCRYPTED_FIELDS, isEncrypted, piiReader, piiWriter, versionOf, type EncryptedField } from "./cipher.js";
import { dataKeyContext, indexKeyContext, KEYRING_CACHE_MS, keyring, saveKeyring, type Keyring } from "./keyring.js";
import { masterKey, type MasterKey } from "./master.js";

/**
 * Key rotation, in three steps that each can be rerun:
 *
 * 1. `rotateDataKey` adds data key version n+1 and makes it current. New writes use it as soon
 *    as a process re-reads the keyring (within KEYRING_CACHE_MS); reads of older ciphertexts go
 *    on working, since the ciphertext names its version.
 * 2. `reencryptMembers` scans the tenant's members and rewrites every phone and email not under
 *    the current version (each a conditional update on the exact old ciphertext, so a
 *    concurrent profile change is never overwritten). It refuses to start before every process
 *    can have seen the new version (2 × KEYRING_CACHE_MS), so no old-version write lands behind
 *    the scan. It also migrates plaintext values written before encryption existed, moving
 *    their phone key to the blind index.
 * 3. `retireDataKeys` scans again and drops from the keyring every older version no ciphertext
 *    refers to. Only then is the old key gone.
 *
 * The blind-index key is not versioned: rotating it would change every phone key at once.
 * Rotating the master key is `rewrapKeyring` (or, with KMS, automatic yearly rotation, which
 * needs nothing from us).
 */
export async function rotateDataKey(tenantId: string): Promise<Keyring> {
  const ring = await keyring(tenantId, true);
  const next = ring.current + 1;
  const master = masterKey();
  const generated = await master.generate(dataKeyContext(tenantId, next));
  const now = new Date().toISOString();
  const saved = await saveKeyring(
    {
      ...ring,
      current: next,
      currentSince: now,
      versions: { ...ring.versions, [String(next)]: { wrapped: generated.wrapped, provider: master.provider, masterKeyId: generated.keyId, createdAt: now } },
      updatedAt: now,
    },
    ring.revision,
  );
  return saved;
}

export interface ReencryptOptions {
  /** Parallel scan segments (default 4). */
  segments?: number;
  /** How old the current version must be before re-encrypting (default 2 × KEYRING_CACHE_MS; tests pass 0). */
  minVersionAgeMs?: number;
}

export interface ReencryptResult {
  current: number;
  membersScanned: number;
  /** Members whose phone or email was rewritten under the current version. */
  reencrypted: number;
  /** Of those, members that held plaintext (written before encryption) and whose phone key moved to the blind index. */
  migrated: number;
  /** Members skipped because they changed during the pass (they were written under the current version). */
  changedMeanwhile: number;
}

export async function reencryptMembers(tenantId: string, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  const ring = await keyring(tenantId, true);
  const minAge = options.minVersionAgeMs ?? 2 * KEYRING_CACHE_MS;
  const age = Date.now() - Date.parse(ring.currentSince);
  if (age < minAge) {
    throw new ConflictError(`key version ${ring.current} became current ${Math.round(age / 1000)} s ago; re-encrypt after ${Math.ceil(minAge / 1000)} s, when every process writes with it`);
  }
  const writer = await piiWriter(tenantId);
  const result: ReencryptResult = { current: ring.current, membersScanned: 0, reencrypted: 0, migrated: 0, changedMeanwhile: 0 };
  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const item of scanSegment({ tenantId, kinds: ["MEMBER"], projection: ["memberId", ...ENCRYPTED_FIELDS], segment, totalSegments: segments })) {
        result.membersScanned++;
        const stale = ENCRYPTED_FIELDS.filter((f) => typeof item[f] === "string" && versionOf(item[f] as string) !== ring.current);
        if (stale.length === 0) continue;
        const reader = await piiReader(tenantId, stale.map((f) => item[f]));
        const memberId = item.memberId as string;
        const names: Record<string, string> = {};
        const values: Record<string, unknown> = {};
        const sets: string[] = [];
        const conditions: string[] = [];
        for (const f of stale) {
          const old = item[f] as string;
          names[`#${f}`] = f;
          values[`:old_${f}`] = old;
          values[`:new_${f}`] = writer.encrypt(f as EncryptedField, reader.decrypt(f as EncryptedField, old));
          sets.push(`#${f} = :new_${f}`);
          conditions.push(`#${f} = :old_${f}`);
        }
        const update = {
          TableName: tableName(),
          Key: keys.member(tenantId, memberId),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        };
        const legacyPhone = stale.includes("phone") && !isEncrypted(item.phone) ? (item.phone as string) : undefined;
        try {
          if (legacyPhone) {
            // Before encryption the phone key held the number itself: move it to the blind index.
            const me = { ":me": memberId };
            await transact([
              { Update: update },
              { Delete: { TableName: tableName(), Key: keys.memberKey(tenantId, "PHONE", legacyPhone), ConditionExpression: "attribute_not_exists(pk) OR memberId = :me", ExpressionAttributeValues: me } },
              {
                Put: {
                  TableName: tableName(),
                  Item: { ...keys.memberKey(tenantId, "PHONE", writer.blindIndex("PHONE", legacyPhone)), tenantId, kind: "PHONE", memberId, createdAt: new Date().toISOString() },
                  ConditionExpression: "attribute_not_exists(pk) OR memberId = :me",
                  ExpressionAttributeValues: me,
                },
              },
            ]);
            result.migrated++;
          } else {
            await documentClient().send(new UpdateCommand(update));
          }
          result.reencrypted++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) && !(error instanceof TransactionCancelled)) throw error;
          result.changedMeanwhile++;
        }
      }
    }),
  );
  return result;
}

export interface RetireResult {
  current: number;
  /** Ciphertexts found per version (the current one included). */
  references: Record<string, number>;
  /** Plaintext values still found (written before encryption; run reencrypt). */
  plaintext: number;
  retired: number[];
  kept: number[];
}

/** Drops every old data key version no member's phone or email refers to any more. */
export async function retireDataKeys(tenantId: string, options: { segments?: number } = {}): Promise<RetireResult> {
  const ring = await keyring(tenantId, true);
  const references: Record<string, number> = {};
  let plaintext = 0;
  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const item of scanSegment({ tenantId, kinds: ["MEMBER"], projection: [...ENCRYPTED_FIELDS], segment, totalSegments: segments })) {
        for (const f of ENCRYPTED_FIELDS) {
          const value = item[f];
          if (typeof value !== "string") continue;
          const v = versionOf(value);
          if (v === undefined) plaintext++;
          else references[String(v)] = (references[String(v)] ?? 0) + 1;
        }
      }
    }),
  );
  const retired: number[] = [];
  const kept: number[] = [];
  const versions = { ...ring.versions };
  for (const v of Object.keys(ring.versions).map(Number)) {
    if (v !== ring.current && !references[String(v)]) {
      delete versions[String(v)];
      retired.push(v);
    } else kept.push(v);
  }
  if (retired.length > 0) await saveKeyring({ ...ring, versions, updatedAt: new Date().toISOString() }, ring.revision, retired.map(String));
  return { current: ring.current, references, plaintext, retired: retired.sort((a, b) => a - b), kept: kept.sort((a, b) => a - b) };
}

/**
 * Re-wraps a tenant's keys under this process's master key (`masterKey()`), unwrapping them
 * with `from` (the old local key file, or any KMS key client: a KMS ciphertext names its key).
 * The keys' plaintext does not change, so no ciphertext or phone key does.
 */
export async function rewrapKeyring(tenantId: string, from: MasterKey): Promise<Keyring> {
  const ring = await keyring(tenantId, true);
  const to = masterKey();
  const index = await from.unwrap(ring.index.wrapped, indexKeyContext(tenantId));
  const rewrappedIndex = await to.wrap(index, indexKeyContext(tenantId));
  const versions: Keyring["versions"] = {};
  for (const [v, key] of Object.entries(ring.versions)) {
    const plain = await from.unwrap(key.wrapped, dataKeyContext(tenantId, Number(v)));
    const out = await to.wrap(plain, dataKeyContext(tenantId, Number(v)));
    versions[v] = { wrapped: out.wrapped, provider: to.provider, masterKeyId: out.keyId, createdAt: key.createdAt };
  }
  // Proves the new wrapping opens with the new master key before anyone relies on it.
  if (!(await to.unwrap(rewrappedIndex.wrapped, indexKeyContext(tenantId))).equals(index)) throw new Error("re-wrapped index key does not open");
  for (const [v, key] of Object.entries(versions)) {
    const reopened = await to.unwrap(key.wrapped, dataKeyContext(tenantId, Number(v)));
    if (!reopened.equals(await from.unwrap(ring.versions[v]!.wrapped, dataKeyContext(tenantId, Number(v))))) throw new Error(`re-wrapped data key ${v} does not open`);
  }
  return saveKeyring({ ...ring, index: { wrapped: rewrappedIndex.wrapped, provider: to.provider, masterKeyId: rewrappedIndex.keyId }, versions, updatedAt: new Date().toISOString() }, ring.revision);
}

/** What the keys CLI prints for `status`. */
export async function keyStatus(tenantId: string) {
  const ring = await keyring(tenantId, true);
  return {
    tenantId,
    current: ring.current,
    currentSince: ring.currentSince,
    versions: Object.entries(ring.versions).map(([v, k]) => ({ version: Number(v), provider: k.provider, masterKeyId: k.masterKeyId, createdAt: k.createdAt })),
    index: { provider: ring.index.provider, masterKeyId: ring.index.masterKeyId },
  };
}

import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { ConflictError } from "../shared/errors.js";
import { masterKey, type MasterKey, type WrappedKey } from "./master.js";

/**
 * A tenant's keyring, one item (`T#t` / `KEYRING`): numbered data keys (AES-256-GCM, for
 * phone and email) and one blind-index key (HMAC-SHA256, for lookup by phone), each wrapped by
 * the master key (KMS in the cloud, a local file in development), never stored in plaintext.
 * `current` is the version new ciphertexts use; older versions stay until nothing refers to them
 * (see rotate.ts).
 */
export interface Keyring {
  tenantId: string;
  current: number;
  /** When `current` became current (re-encryption waits until every process has seen it). */
  currentSince: string;
  index: WrappedKey;
  versions: Record<string, WrappedKey & { createdAt: string }>;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * How long a process trusts its copy of a keyring's `current` version. Data keys themselves
 * never change, so once unwrapped they are kept for the life of the process: reads and
 * lookups cost no request; writes re-read the keyring once a minute at most.
 */
export const KEYRING_CACHE_MS = 60_000;

const rings = new Map<string, { at: number; ring: Keyring }>();
const dataKeys = new Map<string, Buffer>();
const indexKeys = new Map<string, Buffer>();

export const dataKeyContext = (tenantId: string, version: number) => ({ tenant: tenantId, purpose: "pii-data", version: String(version) });
export const indexKeyContext = (tenantId: string) => ({ tenant: tenantId, purpose: "pii-index" });

export async function readKeyring(tenantId: string, consistent = false): Promise<Keyring | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.keyring(tenantId), ConsistentRead: consistent }));
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, ...ring } = out.Item;
  return ring as Keyring;
}

/** The keyring, created (version 1 and the index key) on the tenant's first use. */
async function loadOrCreate(tenantId: string): Promise<Keyring> {
  const found = (await readKeyring(tenantId)) ?? (await readKeyring(tenantId, true));
  if (found) return found;
  const master = masterKey();
  const now = new Date().toISOString();
  const [index, first] = await Promise.all([master.generate(indexKeyContext(tenantId)), master.generate(dataKeyContext(tenantId, 1))]);
  const ring: Keyring = {
    tenantId,
    current: 1,
    currentSince: now,
    index: { wrapped: index.wrapped, provider: master.provider, masterKeyId: index.keyId },
    versions: { "1": { wrapped: first.wrapped, provider: master.provider, masterKeyId: first.keyId, createdAt: now } },
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...keys.keyring(tenantId), ...ring }, ConditionExpression: "attribute_not_exists(pk)" }));
    indexKeys.set(tenantId, index.plaintext);
    dataKeys.set(`${tenantId}#1`, first.plaintext);
    return ring;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (await readKeyring(tenantId, true))!; // another process created it first
  }
}

/** The keyring as this process sees it (at most KEYRING_CACHE_MS old). */
export async function keyring(tenantId: string, fresh = false): Promise<Keyring> {
  const hit = rings.get(tenantId);
  if (!fresh && hit && Date.now() - hit.at < KEYRING_CACHE_MS) return hit.ring;
  const ring = fresh ? ((await readKeyring(tenantId, true)) ?? (await loadOrCreate(tenantId))) : await loadOrCreate(tenantId);
  remember(ring);
  return ring;
}

export function remember(ring: Keyring): void {
  rings.set(ring.tenantId, { at: Date.now(), ring });
}

/** Drops this process's cached keyrings and keys (tests; the rewrap CLI). */
export function forgetKeys(): void {
  rings.clear();
  dataKeys.clear();
  indexKeys.clear();
}

async function unwrap(master: MasterKey, key: WrappedKey, context: Record<string, string>): Promise<Buffer> {
  return master.unwrap(key.wrapped, context);
}

/** The plaintext data key of a version (unwrapped once per process). */
export async function dataKey(tenantId: string, version: number): Promise<Buffer> {
  const cacheKey = `${tenantId}#${version}`;
  const hit = dataKeys.get(cacheKey);
  if (hit) return hit;
  let ring = await keyring(tenantId);
  if (!ring.versions[String(version)]) ring = await keyring(tenantId, true);
  const wrapped = ring.versions[String(version)];
  if (!wrapped) throw new ConflictError(`personal data of tenant ${tenantId} is encrypted with key version ${version}, which the keyring no longer holds`);
  const key = await unwrap(masterKey(), wrapped, dataKeyContext(tenantId, version));
  dataKeys.set(cacheKey, key);
  return key;
}

/** The plaintext blind-index key (unwrapped once per process; it never changes). */
export async function indexKey(tenantId: string): Promise<Buffer>;
/** With `create: false`: undefined for a tenant that never stored personal data (no keyring is made by a read). */
export async function indexKey(tenantId: string, options: { create: false }): Promise<Buffer | undefined>;
export async function indexKey(tenantId: string, options: { create: boolean } = { create: true }): Promise<Buffer | undefined> {
  const hit = indexKeys.get(tenantId);
  if (hit) return hit;
  let ring: Keyring | undefined;
  if (options.create) ring = await keyring(tenantId);
  else {
    ring = rings.get(tenantId)?.ring ?? (await readKeyring(tenantId)) ?? (await readKeyring(tenantId, true));
    if (!ring) return undefined;
    remember(ring);
  }
  const key = indexKeys.get(tenantId) ?? (await unwrap(masterKey(), ring.index, indexKeyContext(tenantId)));
  indexKeys.set(tenantId, key);
  return key;
}

/** Synchronous access to keys already unwrapped (the cipher's hot path). */
export const cachedDataKey = (tenantId: string, version: number) => dataKeys.get(`${tenantId}#${version}`);
export const cachedIndexKey = (tenantId: string) => indexKeys.get(tenantId);

/** Writes a keyring change conditioned on the revision it was planned from. */
export async function saveKeyring(next: Keyring, readRevision: number, remove: string[] = []): Promise<Keyring> {
  const names: Record<string, string> = { "#rev": "revision" };
  const values: Record<string, unknown> = { ":rev": readRevision };
  const sets: string[] = [];
  for (const [i, field] of (["current", "currentSince", "index", "versions", "updatedAt"] as const).entries()) {
    names[`#f${i}`] = field;
    values[`:f${i}`] = next[field];
    sets.push(`#f${i} = :f${i}`);
  }
  values[":next"] = readRevision + 1;
  sets.push("#rev = :next");
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.keyring(next.tenantId),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "#rev = :rev",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError("the keyring changed at the same time; try again");
    throw error;
  }
  for (const v of remove) dataKeys.delete(`${next.tenantId}#${v}`);
  const saved = { ...next, revision: readRevision + 1 };
  remember(saved);
  return saved;
}

import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isDeployed } from "../shared/config.js";

/**
 * The master key wraps (encrypts) each tenant's data keys; it never touches personal data
 * itself. In the cloud it is a KMS key (`PII_KMS_KEY_ID`): data keys come from
 * `GenerateDataKey` and are unwrapped with `Decrypt`, so the master key never leaves KMS. In
 * development it is a 32-byte key in a local file (`PII_MASTER_KEY_FILE`, default
 * `.local/keys/master.key`, gitignored), created on first use, that wraps with AES-256-GCM.
 */
export interface MasterKey {
  /** "KMS" or "LOCAL". */
  readonly provider: "KMS" | "LOCAL";
  /** Which master key wraps: the KMS key id/ARN, or `local:<fingerprint>` of the file's key. */
  readonly keyId: string;
  /** A fresh 32-byte data key, in plaintext and wrapped. `context` is bound to the wrapping. */
  generate(context: Record<string, string>): Promise<{ plaintext: Buffer; wrapped: string; keyId: string }>;
  wrap(plaintext: Buffer, context: Record<string, string>): Promise<{ wrapped: string; keyId: string }>;
  unwrap(wrapped: string, context: Record<string, string>): Promise<Buffer>;
}

/** A wrapped data key as stored in the keyring. */
export interface WrappedKey {
  wrapped: string;
  provider: "KMS" | "LOCAL";
  masterKeyId: string;
}

const LOCAL_PREFIX = "local1";
export const DEFAULT_MASTER_KEY_FILE = ".local/keys/master.key";

/** The master key this process uses, from the environment (built once). */
let current: MasterKey | undefined;
export function masterKey(): MasterKey {
  if (!current) {
    const kmsKeyId = process.env.PII_KMS_KEY_ID;
    if (kmsKeyId) current = kmsMasterKey(kmsKeyId);
    else if (isDeployed()) throw new Error("PII_KMS_KEY_ID must be set in a deployed stage");
    else current = localMasterKey(process.env.PII_MASTER_KEY_FILE ?? DEFAULT_MASTER_KEY_FILE);
  }
  return current;
}

/** Forgets the process's master key (tests and the rewrap CLI switch files). */
export function resetMasterKey(): void {
  current = undefined;
}

/** A local master key file: read it, or create it (32 random bytes, hex) when absent. */
export function ensureLocalMasterKeyFile(path: string): Buffer {
  const file = resolve(path);
  try {
    return parseKeyFile(readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written aside and linked into place: two processes starting at once end up with one key.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(tmp);
  }
  return parseKeyFile(readFileSync(file, "utf8"), file);
}

function parseKeyFile(text: string, file: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} is not a master key (64 hex digits expected)`);
  return Buffer.from(hex, "hex");
}

const aad = (context: Record<string, string>) => Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));

export function localMasterKey(path: string): MasterKey {
  let key: Buffer | undefined;
  const load = () => (key ??= ensureLocalMasterKeyFile(path));
  const fingerprint = () => `local:${createHash("sha256").update(load()).digest("hex").slice(0, 16)}`;
  const wrap = async (plaintext: Buffer, context: Record<string, string>) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", load(), iv);
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { wrapped: `${LOCAL_PREFIX}:${Buffer.concat([iv, body]).toString("base64")}`, keyId: fingerprint() };
  };
  return {
    provider: "LOCAL",
    get keyId() {
      return fingerprint();
    },
    async generate(context) {
      const plaintext = randomBytes(32);
      return { plaintext, ...(await wrap(plaintext, context)) };
    },
    wrap,
    async unwrap(wrapped, context) {
      const [prefix, data] = wrapped.split(":");
      if (prefix !== LOCAL_PREFIX || !data) throw new Error("not a locally wrapped key");
      const raw = Buffer.from(data, "base64");
      const decipher = createDecipheriv("aes-256-gcm", load(), raw.subarray(0, 12));
      decipher.setAAD(aad(context));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    },
  };
}

export function kmsMasterKey(keyId: string, client: KMSClient = new KMSClient({})): MasterKey {
  return {
    provider: "KMS",
    keyId,
    async generate(context) {
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error("KMS GenerateDataKey returned no key");
      return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob).toString("base64"), keyId: out.KeyId ?? keyId };
    },
    async wrap(plaintext, context) {
      const out = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }));
      if (!out.CiphertextBlob) throw new Error("KMS Encrypt returned nothing");
      return { wrapped: Buffer.from(out.CiphertextBlob).toString("base64"), keyId: out.KeyId ?? keyId };
    },
    async unwrap(wrapped, context) {
      // A symmetric KMS ciphertext names its key; Decrypt works across the key's rotations.
      const out = await client.send(new DecryptCommand({ CiphertextBlob: Buffer.from(wrapped, "base64"), EncryptionContext: context }));
      if (!out.Plaintext) throw new Error("KMS Decrypt returned nothing");
      return Buffer.from(out.Plaintext);
    },
  };
}

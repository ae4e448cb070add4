import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { auditPut, newAuditEntry } from "../audit/index.js";
import { stripKeys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { DomainError, NotFoundError } from "../shared/errors.js";
import { KEY_PREFIX, partnerKeys } from "./keys.js";
import { findPartner, getPartner } from "./store.js";
import type { PartnerApiKey } from "./types.js";

/**
 * Partner API keys: `pdk.<tenant>.<keyId>.<secret>`. The tenant and key id say where to look
 * (one GetItem, no scan, no cross-tenant index); only a SHA-256 of the 32-byte random secret is
 * stored, so the table never holds a usable key. The full key is shown once, at creation.
 */
export const KEY_PREFIX_TEXT = "pdk";
const KEY_FORMAT = /^pdk\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

const digest = (secret: string) => createHash("sha256").update(secret).digest("base64url");
const fromItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as PartnerApiKey;

export const looksLikePartnerKey = (token: string) => token.startsWith(`${KEY_PREFIX_TEXT}.`);

export async function createPartnerKey(tenantId: string, partnerId: string, by: { actor: string }): Promise<{ key: string; apiKey: PartnerApiKey }> {
  const partner = await getPartner(tenantId, partnerId);
  const keyId = randomBytes(12).toString("base64url");
  const secret = randomBytes(32).toString("base64url");
  const key = `${KEY_PREFIX_TEXT}.${tenantId}.${keyId}.${secret}`;
  const now = new Date().toISOString();
  const apiKey: PartnerApiKey = { tenantId, keyId, partnerId: partner.partnerId, secretHash: digest(secret), hint: key.slice(0, 12 + tenantId.length), createdAt: now, createdBy: by.actor };
  await transact([
    {
      Put: {
        TableName: tableName(),
        Item: { ...partnerKeys.apiKey(tenantId, keyId), gsi1pk: partnerKeys.partition(tenantId, partner.partnerId), gsi1sk: `${KEY_PREFIX}${now}#${keyId}`, ...apiKey },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    auditPut(newAuditEntry(tenantId, { action: "PARTNER_KEY_CREATED", actor: by.actor, target: `partner:${partner.partnerId}`, detail: `key ${keyId}` }, now)),
  ]);
  return { key, apiKey };
}

export async function revokePartnerKey(tenantId: string, keyId: string, by: { actor: string }): Promise<PartnerApiKey> {
  const now = new Date().toISOString();
  const existing = await findKey(tenantId, keyId);
  if (!existing) throw new NotFoundError("PartnerApiKey", keyId);
  if (existing.revokedAt) return existing; // already revoked: revoking again changes nothing
  try {
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: partnerKeys.apiKey(tenantId, keyId),
          UpdateExpression: "SET revokedAt = :now, revokedBy = :by",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(revokedAt)",
          ExpressionAttributeValues: { ":now": now, ":by": by.actor },
        },
      },
      auditPut(newAuditEntry(tenantId, { action: "PARTNER_KEY_REVOKED", actor: by.actor, target: `partner:${existing.partnerId}`, detail: `key ${keyId}` }, now)),
    ]);
    return { ...existing, revokedAt: now, revokedBy: by.actor };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const existing = await findKey(tenantId, keyId);
    if (!existing) throw new NotFoundError("PartnerApiKey", keyId);
    return existing; // already revoked: revoking again changes nothing
  }
}

async function findKey(tenantId: string, keyId: string): Promise<PartnerApiKey | undefined> {
  if (!/^[A-Za-z0-9_-]{16}$/.test(keyId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: partnerKeys.apiKey(tenantId, keyId), ConsistentRead: true }));
  return out.Item ? fromItem(out.Item) : undefined;
}

export async function listPartnerKeys(tenantId: string, partnerId: string): Promise<PartnerApiKey[]> {
  const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: partnerKeys.partition(tenantId, partnerId), skPrefix: KEY_PREFIX });
  return items.map(fromItem).reverse();
}

const refused = () => new DomainError("UNAUTHENTICATED", "The partner key is invalid or revoked");

/**
 * Checks a partner key and says whose it is. Strongly consistent reads, so a revocation or a
 * suspension takes effect on the very next request; every failure gives the same answer, so a
 * caller learns nothing about which part was wrong.
 */
export async function verifyPartnerKey(key: string): Promise<{ tenantId: string; partnerId: string; keyId: string }> {
  const m = KEY_FORMAT.exec(key);
  if (!m) throw refused();
  const [, tenantId, keyId, secret] = m as unknown as [string, string, string, string];
  const stored = await findKey(tenantId, keyId);
  const expected = Buffer.from(stored?.secretHash ?? digest("absent"));
  const given = Buffer.from(digest(secret));
  if (!stored || stored.revokedAt || expected.length !== given.length || !timingSafeEqual(expected, given)) throw refused();
  const partner = await findPartner(tenantId, stored.partnerId, true);
  if (!partner || partner.status !== "ACTIVE") throw refused();
  return { tenantId, partnerId: partner.partnerId, keyId };
}

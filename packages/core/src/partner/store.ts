import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { auditPut, newAuditEntry } from "../audit/index.js";
import { stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { normaliseEmail } from "../shared/contact.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { requireText } from "../shared/text.js";
import { assertPartnerId, partnerKeys } from "./keys.js";
import type { Partner } from "./types.js";

export interface CreatePartnerInput {
  id?: string | null;
  name: string;
  contactEmail?: string | null;
}

const fromItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Partner;

export async function createPartner(tenantId: string, input: CreatePartnerInput, by: { actor: string }): Promise<Partner> {
  const partnerId = input.id ? assertPartnerId(input.id, "input.id") : newId("ptn");
  const now = new Date().toISOString();
  const partner: Partner = {
    tenantId,
    partnerId,
    name: requireText(input.name, "input.name", 100),
    contactEmail: input.contactEmail ? normaliseEmail(input.contactEmail) : undefined,
    status: "ACTIVE",
    createdAt: now,
    updatedAt: now,
    createdBy: by.actor,
  };
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...partnerKeys.item(tenantId, partnerId), gsi1pk: partnerKeys.list(tenantId), gsi1sk: `${now}#${partnerId}`, ...partner },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`partner id ${partnerId} is already used`, { field: "input.id" });
    throw error;
  }
  return partner;
}

export async function findPartner(tenantId: string, partnerId: string, consistent = false): Promise<Partner | undefined> {
  if (!CLIENT_ID_PATTERN.test(partnerId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: partnerKeys.item(tenantId, partnerId), ConsistentRead: consistent }));
  return out.Item ? fromItem(out.Item) : undefined;
}

export async function getPartner(tenantId: string, partnerId: string): Promise<Partner> {
  const p = await findPartner(tenantId, partnerId);
  if (!p) throw new NotFoundError("Partner", partnerId);
  return p;
}

/** Suspends or reactivates a partner: a suspended partner's keys stop working at once. */
export async function setPartnerStatus(tenantId: string, partnerId: string, status: Partner["status"], by: { actor: string }): Promise<Partner> {
  const now = new Date().toISOString();
  try {
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: partnerKeys.item(tenantId, partnerId),
          UpdateExpression: "SET #st = :s, updatedAt = :now",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#st": "status" },
          ExpressionAttributeValues: { ":s": status, ":now": now },
        },
      },
      auditPut(newAuditEntry(tenantId, { action: "PARTNER_STATUS_CHANGED", actor: by.actor, target: `partner:${partnerId}`, detail: status }, now)),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new NotFoundError("Partner", partnerId);
    throw error;
  }
  return (await findPartner(tenantId, partnerId, true))!;
}

export async function listPartners(tenantId: string, args: PageArgs): Promise<Page<Partner>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, "partners", { index: "gsi1", pk: partnerKeys.list(tenantId) }, args);
  return { ...page, items: page.items.map(fromItem) };
}

import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { queryAll } from "../db/query.js";
import { effectiveCampaign } from "../campaign/item.js";
import { getStoredCampaign } from "../campaign/store.js";
import type { Campaign } from "../campaign/types.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import { toMajor } from "../shared/money.js";
import { requireText } from "../shared/text.js";
import { getStores } from "../store/read.js";
import { definitionItem, fromDefinitionItem } from "./item.js";
import { assertDefinitionId, couponKeys } from "./keys.js";
import { MAX_DEFINITIONS_PER_CAMPAIGN, type CouponDefinition } from "./types.js";
import * as v from "./validate.js";

export type CreateDefinitionInput = v.DefinitionInput;
export type UpdateDefinitionInput = Partial<Omit<v.DefinitionInput, "id" | "campaignId">>;

/** The checked terms of a definition from a whole input (create, or an update merged over the stored one). */
async function terms(tenantId: string, input: v.DefinitionInput, now: Date) {
  const redeemableAt = v.channels(input.redeemableAt);
  const storeIds = v.storeList(input.storeIds, "input.storeIds");
  const partnerStoreIds = v.storeList(input.partnerStoreIds, "input.partnerStoreIds");
  if (storeIds.length > 0 && !redeemableAt.includes("STORE")) throw new ValidationError("input.storeIds is only for coupons redeemable at STORE", "input.storeIds");
  if (partnerStoreIds.length > 0 && !redeemableAt.includes("PARTNER")) throw new ValidationError("input.partnerStoreIds is only for coupons redeemable at PARTNER", "input.partnerStoreIds");
  const found = await getStores(tenantId, storeIds);
  const missing = storeIds.find((_, i) => !found[i]);
  if (missing) throw new NotFoundError("Store", missing);
  const window = v.validity(input);
  if (window.validTo && Date.parse(window.validTo) <= now.getTime()) throw new ValidationError("input.validTo must be in the future", "input.validTo");
  return {
    name: requireText(input.name, "input.name", 100),
    ...v.value(input),
    ...window,
    totalQuantity: v.totalQuantity(input.totalQuantity),
    perMemberLimit: v.perMemberLimit(input.perMemberLimit),
    redeemableAt,
    storeIds,
    partnerStoreIds,
  };
}

function assertOpen(campaign: Campaign): void {
  if (effectiveCampaign(campaign).status === "ENDED") throw new ConflictError(`campaign ${campaign.campaignId} has ended`);
}

const clean = <T extends object>(o: T): T => {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
};

/**
 * A coupon definition on a campaign of any type (coupon campaigns, and later referral or journey
 * rewards). Up to MAX_DEFINITIONS_PER_CAMPAIGN per campaign; not on an ended campaign.
 */
export async function createCouponDefinition(tenantId: string, input: CreateDefinitionInput, by: { actor: string }, now = new Date()): Promise<CouponDefinition> {
  const definitionId = input.id ? assertDefinitionId(input.id, "input.id") : newId("cpd");
  if (!CLIENT_ID_PATTERN.test(input.campaignId)) throw new NotFoundError("Campaign", input.campaignId);
  const campaign = await getStoredCampaign(tenantId, input.campaignId);
  assertOpen(campaign);
  const existing = await queryAll<{ definitionId: string }>({ index: "gsi1", pk: couponKeys.definitionsOf(tenantId, campaign.campaignId) });
  if (existing.length >= MAX_DEFINITIONS_PER_CAMPAIGN) throw new ConflictError(`campaign ${campaign.campaignId} already has ${MAX_DEFINITIONS_PER_CAMPAIGN} coupon definitions`);
  const at = now.toISOString();
  const definition: CouponDefinition = clean({
    tenantId,
    definitionId,
    campaignId: campaign.campaignId,
    ...(await terms(tenantId, input, now)),
    issued: 0,
    redeemed: 0,
    discountMinor: 0,
    revision: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: by.actor,
  });
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: definitionItem(definition), ConditionExpression: "attribute_not_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`coupon definition id ${definitionId} is already used`, { field: "input.id" });
    throw error;
  }
  return definition;
}

export async function findCouponDefinition(tenantId: string, definitionId: string, consistent = false): Promise<CouponDefinition | undefined> {
  if (!CLIENT_ID_PATTERN.test(definitionId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: couponKeys.definition(tenantId, definitionId), ConsistentRead: consistent }));
  return out.Item ? fromDefinitionItem(out.Item) : undefined;
}

export async function getCouponDefinition(tenantId: string, definitionId: string, consistent = false): Promise<CouponDefinition> {
  const d = await findCouponDefinition(tenantId, definitionId, consistent);
  if (!d) throw new NotFoundError("CouponDefinition", definitionId);
  return d;
}

/** Many definitions by id (BatchGetItem), aligned with `ids`. */
export async function getCouponDefinitions(tenantId: string, ids: readonly string[]): Promise<(CouponDefinition | undefined)[]> {
  const valid = ids.filter((id) => CLIENT_ID_PATTERN.test(id));
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => couponKeys.definition(tenantId, id)));
  const byId = new Map(items.map((i) => [i.definitionId as string, fromDefinitionItem(i)]));
  return ids.map((id) => byId.get(id));
}

/** A campaign's definitions, oldest first (at most MAX_DEFINITIONS_PER_CAMPAIGN: one Query). */
export async function listCouponDefinitions(tenantId: string, campaignId: string): Promise<CouponDefinition[]> {
  if (!CLIENT_ID_PATTERN.test(campaignId)) return [];
  const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: couponKeys.definitionsOf(tenantId, campaignId) });
  return items.map(fromDefinitionItem).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.definitionId.localeCompare(b.definitionId));
}

/** The stored definition as an input, so an update is validated as a whole (money back in major units). */
const asInput = (d: CouponDefinition): v.DefinitionInput => ({
  campaignId: d.campaignId,
  name: d.name,
  amountOff: d.amountOffMinor !== undefined ? toMajor(d.amountOffMinor) : undefined,
  percentOff: d.percentOff,
  minimumSpend: toMajor(d.minimumSpendMinor),
  validFrom: d.validFrom,
  validTo: d.validTo,
  validDays: d.validDays,
  totalQuantity: d.totalQuantity,
  perMemberLimit: d.perMemberLimit,
  redeemableAt: d.redeemableAt,
  storeIds: d.storeIds,
  partnerStoreIds: d.partnerStoreIds,
});

/**
 * Changes a definition while none of its coupons has been issued: issued coupons carry its terms,
 * and a total or limit changed under a running claim would break the count. Omitted fields stay,
 * null clears. The write is conditioned on `issued = 0` and the revision read.
 */
export async function updateCouponDefinition(tenantId: string, definitionId: string, input: UpdateDefinitionInput, now = new Date()): Promise<CouponDefinition> {
  const before = await getCouponDefinition(tenantId, definitionId, true);
  if (before.issued > 0) throw new ConflictError(`coupon definition ${definitionId} has issued ${before.issued} coupon(s): its terms are fixed`);
  assertOpen(await getStoredCampaign(tenantId, before.campaignId));
  const merged: v.DefinitionInput = { ...asInput(before) };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  const after: CouponDefinition = clean({
    ...before,
    amountOffMinor: undefined,
    percentOff: undefined,
    validFrom: undefined,
    validTo: undefined,
    validDays: undefined,
    ...(await terms(tenantId, merged, now)),
    revision: before.revision + 1,
    updatedAt: now.toISOString(),
  });
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: definitionItem(after),
        ConditionExpression: "revision = :rev AND issued = :zero",
        ExpressionAttributeValues: { ":rev": before.revision, ":zero": 0 },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`coupon definition ${definitionId} changed or issued coupons at the same time; reload and try again`);
    throw error;
  }
  return after;
}

import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { queryPage } from "../db/query.js";
import { getContents } from "../content/store.js";
import { couponKeys } from "../coupon/keys.js";
import * as mv from "../member/validate.js";
import { findSegment } from "../segment/store.js";
import { SEGMENT_ID } from "../segment/keys.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { cleanText, requireText } from "../shared/text.js";
import { findStore } from "../store/read.js";
import { forgetMultiplierCampaigns } from "../multiplier/campaigns.js";
import { getSettings } from "../tenant/settings.js";
import { campaignItem, effectiveCampaign, fromCampaignItem } from "./item.js";
import { assertCampaignId, campaignKeys } from "./keys.js";
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, type Campaign, type CampaignStatus, type CampaignType } from "./types.js";
import * as v from "./validate.js";

export interface CreateCampaignInput {
  /** The brand's own id (orders, events and spend name campaigns by it); generated when absent. */
  id?: string | null;
  name: string;
  description?: string | null;
  type: string;
  targetSegmentId?: string | null;
  contentIds?: string[] | null;
  channels?: string[] | null;
  startAt?: string | null;
  endAt?: string | null;
  timeZone?: string | null;
  budget?: number | null;
  frequencyCap?: { maxTouches: number; periodDays: number } | null;
  config?: v.CampaignConfigInput | null;
}

export type UpdateCampaignInput = Partial<Omit<CreateCampaignInput, "id" | "type">>;

/** Checks that what a campaign refers to exists in the brand: segment, content, journey content, event store. */
async function checkReferences(tenantId: string, c: Campaign): Promise<void> {
  if (c.targetSegmentId) {
    if (!SEGMENT_ID.test(c.targetSegmentId) || !(await findSegment(tenantId, c.targetSegmentId))) throw new NotFoundError("Segment", c.targetSegmentId);
  }
  const content = [...c.contentIds, ...(c.config.journey ? [c.config.journey.contentId] : [])];
  if (content.length > 0) {
    const found = await getContents(tenantId, content);
    const missing = content.find((_, i) => !found[i]);
    if (missing) throw new NotFoundError("Content", missing);
  }
  const storeId = c.config.memberEvent?.storeId;
  if (storeId && !(await findStore(tenantId, storeId))) throw new NotFoundError("Store", storeId);
  // A referral's coupon rewards: definitions of this very campaign (so they are made after it, then named by an update).
  for (const [field, id] of [["referrerCouponId", c.config.referral?.referrerCouponId], ["inviteeCouponId", c.config.referral?.inviteeCouponId]] as const) {
    if (!id) continue;
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: couponKeys.definition(tenantId, id), ProjectionExpression: "campaignId" }));
    if (!out.Item) throw new NotFoundError("Coupon definition", id);
    if (out.Item.campaignId !== c.campaignId) throw new ValidationError(`input.config.referral.${field}: coupon ${id} belongs to campaign ${String(out.Item.campaignId)}, not ${c.campaignId}`, `input.config.referral.${field}`);
  }
}

function zone(value: string | null | undefined, fallback: string): string {
  if (!value) return fallback;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
  } catch {
    throw new ValidationError("input.timeZone must be an IANA time zone (e.g. Asia/Shanghai)", "input.timeZone");
  }
  return value;
}

export async function createCampaign(tenantId: string, input: CreateCampaignInput, by: { actor: string }): Promise<Campaign> {
  const type = mv.oneOf(CAMPAIGN_TYPES, input.type, "input.type") as CampaignType;
  const campaignId = input.id ? assertCampaignId(input.id, "input.id") : newId("cmp");
  const now = new Date().toISOString();
  const settings = await getSettings(tenantId);
  const campaign: Campaign = {
    tenantId,
    campaignId,
    name: requireText(input.name, "input.name", 100),
    description: cleanText(input.description, "input.description", 1000),
    type,
    status: "DRAFT",
    targetSegmentId: input.targetSegmentId ?? undefined,
    contentIds: v.contentIds(input.contentIds, "input.contentIds"),
    channels: v.channels(input.channels, "input.channels"),
    ...v.schedule(input.startAt, input.endAt, "input"),
    timeZone: zone(input.timeZone, settings.timeZone),
    budgetMinor: v.budget(input.budget, "input.budget"),
    frequencyCap: v.frequencyCap(input.frequencyCap, "input.frequencyCap"),
    // Partners join through invitePartnerToCampaign, which also links the campaign to them.
    partnerIds: [],
    config: v.config(type, input.config, "input.config"),
    revision: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: by.actor,
  };
  await checkReferences(tenantId, campaign);
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: campaignItem(campaign), ConditionExpression: "attribute_not_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`campaign id ${campaignId} is already used`, { field: "input.id" });
    throw error;
  }
  return campaign;
}

export async function findCampaign(tenantId: string, campaignId: string, consistent = false): Promise<Campaign | undefined> {
  if (!CLIENT_ID_PATTERN.test(campaignId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: campaignKeys.item(tenantId, campaignId), ConsistentRead: consistent }));
  return out.Item ? fromCampaignItem(out.Item) : undefined;
}

/** The stored campaign (for writes); NOT_FOUND if absent. */
export async function getStoredCampaign(tenantId: string, campaignId: string): Promise<Campaign> {
  const c = await findCampaign(tenantId, campaignId, true);
  if (!c) throw new NotFoundError("Campaign", campaignId);
  return c;
}

/** A campaign as readers see it (the schedule applied). */
export async function getCampaign(tenantId: string, campaignId: string, now = new Date()): Promise<Campaign> {
  const c = await findCampaign(tenantId, campaignId);
  if (!c) throw new NotFoundError("Campaign", campaignId);
  return effectiveCampaign(c, now);
}

/** Many campaigns by id (BatchGetItem), aligned with `ids`, the schedule applied. */
export async function getCampaigns(tenantId: string, ids: readonly string[], now = new Date()): Promise<(Campaign | undefined)[]> {
  const valid = ids.filter((id) => CLIENT_ID_PATTERN.test(id));
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => campaignKeys.item(tenantId, id)));
  const byId = new Map(items.map((i) => [i.campaignId as string, effectiveCampaign(fromCampaignItem(i), now)]));
  return ids.map((id) => byId.get(id));
}

/** Writes a changed campaign if its revision is still the one read. */
export async function writeCampaign(before: Campaign, after: Campaign): Promise<Campaign> {
  for (const key of Object.keys(after) as (keyof Campaign)[]) if (after[key] === undefined) delete after[key];
  try {
    await documentClient().send(
      new PutCommand({ TableName: tableName(), Item: campaignItem(after), ConditionExpression: "revision = :rev", ExpressionAttributeValues: { ":rev": before.revision } }),
    );
    // This container sees its own multiplier changes at once; others within the cache's minute.
    if (after.type === "POINTS_MULTIPLIER") forgetMultiplierCampaigns(after.tenantId);
    return after;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`campaign ${after.campaignId} changed at the same time; reload and try again`);
    throw error;
  }
}

/** Fields that define what a campaign is: fixed once it has run, so its results keep their meaning. */
const FIXED_AFTER_START = ["targetSegmentId", "startAt", "config", "timeZone"] as const;

export async function updateCampaign(tenantId: string, campaignId: string, input: UpdateCampaignInput): Promise<Campaign> {
  const before = await getStoredCampaign(tenantId, campaignId);
  const status = effectiveCampaign(before).status;
  if (status === "ENDED") throw new ConflictError(`campaign ${campaignId} has ended`);
  const started = status === "RUNNING" || status === "PAUSED";
  if (started) {
    const fixed = FIXED_AFTER_START.find((f) => input[f] !== undefined);
    if (fixed) throw new ValidationError(`input.${fixed} cannot change once the campaign has started`, `input.${fixed}`);
  }
  const after: Campaign = { ...before, revision: before.revision + 1, updatedAt: new Date().toISOString() };
  if (input.name !== undefined && input.name !== null) after.name = requireText(input.name, "input.name", 100);
  if (input.description !== undefined) after.description = cleanText(input.description, "input.description", 1000);
  if (input.targetSegmentId !== undefined) after.targetSegmentId = input.targetSegmentId ?? undefined;
  if (input.contentIds !== undefined && input.contentIds !== null) after.contentIds = v.contentIds(input.contentIds, "input.contentIds");
  if (input.channels !== undefined && input.channels !== null) after.channels = v.channels(input.channels, "input.channels");
  if (input.startAt !== undefined || input.endAt !== undefined) {
    Object.assign(after, v.schedule(input.startAt === undefined ? before.startAt : input.startAt, input.endAt === undefined ? before.endAt : input.endAt, "input"));
    if (input.startAt === null) delete after.startAt;
    if (input.endAt === null) delete after.endAt;
  }
  if (input.timeZone !== undefined) after.timeZone = zone(input.timeZone, before.timeZone);
  if (input.budget !== undefined) after.budgetMinor = v.budget(input.budget, "input.budget");
  if (input.frequencyCap !== undefined) after.frequencyCap = v.frequencyCap(input.frequencyCap, "input.frequencyCap");
  if (input.config !== undefined && input.config !== null) after.config = v.config(before.type, input.config, "input.config");
  if (after.status === "SCHEDULED" && (!after.startAt || Date.parse(after.startAt) <= Date.now())) {
    throw new ValidationError("input.startAt: a scheduled campaign needs a start in the future", "input.startAt");
  }
  await checkReferences(tenantId, after);
  return effectiveCampaign(await writeCampaign(before, after));
}

export interface CampaignFilter {
  status?: string | null;
  type?: string | null;
}

/**
 * A tenant's campaigns, newest created first, by status (as readers see it) and type. A
 * status filter reads the stored-status lists that can hold campaigns of that effective status
 * and keeps those that have it; the lifecycle task keeps stored statuses within a minute of
 * the schedule, so these lists stay short to filter.
 */
export async function listCampaigns(tenantId: string, filter: CampaignFilter | null | undefined, args: PageArgs, now = new Date()): Promise<Page<Campaign>> {
  const status = filter?.status ? (mv.oneOf(CAMPAIGN_STATUSES, filter.status, "filter.status") as CampaignStatus) : undefined;
  const type = filter?.type ? (mv.oneOf(CAMPAIGN_TYPES, filter.type, "filter.type") as CampaignType) : undefined;
  const scope = `campaigns:${status ?? "ANY"}:${type ?? "ANY"}`;
  const q = status ? { index: "gsi1" as const, pk: campaignKeys.byStatus(tenantId, status) } : { index: "gsi2" as const, pk: campaignKeys.all(tenantId) };
  const page = await queryPage<Record<string, unknown>>(tenantId, scope, q, args);
  const items: Campaign[] = [];
  const cursors: string[] = [];
  page.items.forEach((item, i) => {
    const c = effectiveCampaign(fromCampaignItem(item), now);
    if ((!status || c.status === status) && (!type || c.type === type)) {
      items.push(c);
      cursors.push(page.cursors[i]!);
    }
  });
  if (cursors.length > 0 && page.endCursor) cursors[cursors.length - 1] = page.endCursor;
  return { ...page, items, cursors };
}

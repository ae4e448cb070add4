import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { assertCampaignId } from "../campaign/keys.js";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { queryShardedPage } from "../db/sharded.js";
import { getEvent, recordEvent } from "../event/record.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import type { Page, PageArgs } from "../shared/page.js";
import { toUtcInstant } from "../shared/text.js";
import { fromTouchItem, touchIndexKeys } from "./item.js";
import { assertTouchId, journeyKeys, MEMBER_TOUCH_PREFIX } from "./keys.js";
import { TOUCH_STATUSES, TOUCH_TRANSITIONS, type Touch, type TouchStatus } from "./types.js";

export async function findTouch(tenantId: string, touchId: string, consistent = false): Promise<Touch | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: journeyKeys.touch(tenantId, assertTouchId(touchId, "touchId")), ConsistentRead: consistent }));
  return out.Item ? fromTouchItem(out.Item) : undefined;
}

/** Many touches by id (BatchGetItem), aligned with `ids`; malformed or unknown ids are undefined. */
export async function getTouches(tenantId: string, ids: readonly string[]): Promise<(Touch | undefined)[]> {
  const valid = ids.filter((id) => /^tch_[A-Za-z0-9_-]{22}$/.test(id));
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => journeyKeys.touch(tenantId, id)));
  const byId = new Map(items.map((i) => [i.touchId as string, fromTouchItem(i)]));
  return ids.map((id) => byId.get(id));
}

export interface OutboxFilter {
  campaignId?: string | null;
  status?: string | null;
}

/**
 * The outbox, newest first, optionally for one campaign and / or one status. One status reads
 * one list; all statuses read the four lists at once and merge them (the sharded-list reader),
 * so a page costs at most four queries.
 */
export async function listOutbox(tenantId: string, filter: OutboxFilter | null | undefined, args: PageArgs): Promise<Page<Touch>> {
  const status = filter?.status ? (mv.oneOf(TOUCH_STATUSES, filter.status, "status") as TouchStatus) : undefined;
  const campaignId = filter?.campaignId ? assertCampaignId(filter.campaignId, "campaignId") : undefined;
  const statuses = status ? [status] : [...TOUCH_STATUSES];
  const index = campaignId ? ("gsi3" as const) : ("gsi2" as const);
  const partitions = statuses.map((s) => (campaignId ? journeyKeys.byCampaign(tenantId, campaignId, s) : journeyKeys.byStatus(tenantId, s)));
  const page = await queryShardedPage<Record<string, unknown>>(tenantId, `outbox:${campaignId ?? "ANY"}:${status ?? "ANY"}`, { index, partitions }, args);
  return { ...page, items: page.items.map(fromTouchItem) };
}

/** A member's touches, newest first. */
export async function listMemberTouches(tenantId: string, memberId: string, args: PageArgs): Promise<Page<Touch>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `touches:${memberId}`, { index: "gsi1", pk: keys.memberPartition(tenantId, mv.memberId(memberId)), skPrefix: MEMBER_TOUCH_PREFIX }, args);
  return { ...page, items: page.items.map(fromTouchItem) };
}

/**
 * Moves a touch to `to` with the report's fields, conditioned on the status it was read with
 * (two reports at once: one wins, the other reads again). The same status again is a no-op.
 */
async function moveTouch(tenantId: string, touchId: string, to: TouchStatus, fields: Partial<Touch>): Promise<Touch> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const touch = await findTouch(tenantId, touchId, true);
    if (!touch) throw new NotFoundError("Touch", touchId);
    if (touch.status === to) return touch;
    if (!TOUCH_TRANSITIONS[touch.status].includes(to)) throw new ConflictError(`touch ${touchId} is ${touch.status}; it cannot become ${to}`, { status: touch.status });
    const now = new Date().toISOString();
    const next: Touch = { ...touch, ...fields, status: to, updatedAt: now };
    const set = { ...fields, ...touchIndexKeys(next), status: to, updatedAt: now };
    const names = Object.fromEntries(Object.keys(set).map((k, i) => [`#f${i}`, k]));
    const values = Object.fromEntries(Object.values(set).map((v, i) => [`:v${i}`, v]));
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: journeyKeys.touch(tenantId, touchId),
          UpdateExpression: `SET ${Object.keys(set).map((_, i) => `#f${i} = :v${i}`).join(", ")}`,
          ConditionExpression: "#st = :from",
          ExpressionAttributeNames: { ...names, "#st": "status" },
          ExpressionAttributeValues: { ...values, ":from": touch.status },
        }),
      );
      return next;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new ConflictError(`touch ${touchId} is being reported by many workers at once; try again`);
}

const instant = (value: string, field: string) => {
  const at = toUtcInstant(value, field);
  if (Date.parse(at) > Date.now() + 5 * 60_000) throw new ValidationError(`${field} is in the future`, field);
  return at;
};

/** A channel worker took the touch and handed it to the channel. */
export async function reportTouchSent(tenantId: string, input: { touchId: string; sentAt: string }): Promise<Touch> {
  return moveTouch(tenantId, assertTouchId(input.touchId), "SENT", { sentAt: instant(input.sentAt, "sentAt") });
}

/** The channel refused or lost it. */
export async function reportTouchFailure(tenantId: string, input: { touchId: string; failedAt: string; reason: string }): Promise<Touch> {
  const reason = input.reason.trim().slice(0, 500);
  if (!reason) throw new ValidationError("reason is required", "reason");
  return moveTouch(tenantId, assertTouchId(input.touchId), "FAILED", { failedAt: instant(input.failedAt, "failedAt"), failureReason: reason });
}

/** The MESSAGE_DELIVERED event of a touch: its id is derived from the touch's, so it is recorded once. */
export const deliveryEventId = (touchId: string) => `${touchId}.delivered`;

/**
 * The channel delivered the touch: records a MESSAGE_DELIVERED event for the member (campaign
 * and content named, so attribution and content reach count it) and marks the touch
 * DELIVERED. The event goes first and its id comes from the touch: a report retried after a
 * crash between the two finds the event and finishes the move, a report repeated with another
 * time keeps the first one, so there is exactly one event per touch.
 */
export async function reportTouchDelivery(tenantId: string, input: { touchId: string; deliveredAt: string }): Promise<Touch> {
  const touchId = assertTouchId(input.touchId);
  let deliveredAt = instant(input.deliveredAt, "deliveredAt");
  const touch = await findTouch(tenantId, touchId, true);
  if (!touch) throw new NotFoundError("Touch", touchId);
  if (touch.status === "DELIVERED") return touch;
  if (!TOUCH_TRANSITIONS[touch.status].includes("DELIVERED")) throw new ConflictError(`touch ${touchId} is ${touch.status}`);
  const eventId = deliveryEventId(touchId);
  const earlier = await getEvent(tenantId, eventId);
  if (earlier) deliveredAt = earlier.occurredAt;
  else {
    try {
      await recordEvent(tenantId, { eventId, memberId: touch.memberId, type: "MESSAGE_DELIVERED", channel: touch.channel, occurredAt: deliveredAt, campaignId: touch.campaignId, contentId: touch.content.contentId });
    } catch (error) {
      // A concurrent report with another time recorded it first: keep that one.
      const raced = await getEvent(tenantId, eventId);
      if (!raced) throw error;
      deliveredAt = raced.occurredAt;
    }
  }
  return moveTouch(tenantId, touchId, "DELIVERED", { deliveredAt, deliveryEventId: eventId });
}

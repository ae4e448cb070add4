import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys, SK, stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { changeMember } from "../member/mutate.js";
import { resolveMember } from "../member/read.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { checkPattern, toUtcInstant } from "../shared/text.js";
import { eventFingerprint, eventItem } from "./item.js";
import { EVENT_TYPES, type EngagementEvent } from "./types.js";
import { activityPut, addEvent } from "../segment/activity.js";
import { eventEngagementWrites } from "../content/engagement.js";
import { eventCampaignEffects } from "../campaign/results/events.js";

export interface EventInput {
  eventId: string;
  memberId: string;
  type: string;
  channel: string;
  occurredAt: string;
  contentId?: string | null;
  campaignId?: string | null;
  storeId?: string | null;
  score?: number | null;
}

const optionalId = (v: string | null | undefined, field: string) => (v ? checkPattern(v, CLIENT_ID_PATTERN, field, "is not a valid id") : undefined);

/**
 * Records an engagement event and the member's activity stats in one transaction; the same
 * event id sent again (even concurrently) is stored once and answered with the first record.
 */
export async function recordEvent(tenantId: string, input: EventInput): Promise<{ event: EngagementEvent; duplicate: boolean }> {
  const eventId = checkPattern(input.eventId, CLIENT_ID_PATTERN, "eventId", "must be 1-100 letters, digits or _.:-");
  const type = mv.oneOf(EVENT_TYPES, input.type, "type");
  const channel = mv.channel(input.channel);
  const occurredAt = toUtcInstant(input.occurredAt, "occurredAt");
  if (Date.parse(occurredAt) > Date.now() + 5 * 60_000) throw new ValidationError("occurredAt is in the future", "occurredAt");
  let score: number | undefined;
  if (type === "SURVEY_SCORE") {
    if (input.score === null || input.score === undefined || !Number.isInteger(input.score) || input.score < 0 || input.score > 10) {
      throw new ValidationError("a SURVEY_SCORE event needs a whole score from 0 to 10", "score");
    }
    score = input.score;
  } else if (input.score !== null && input.score !== undefined) {
    throw new ValidationError("score is only for SURVEY_SCORE events", "score");
  }
  const contentId = optionalId(input.contentId, "contentId");
  const campaignId = optionalId(input.campaignId, "campaignId");
  const storeId = optionalId(input.storeId, "storeId");
  const fingerprint = eventFingerprint({ eventId, memberId: input.memberId, type, channel, occurredAt, contentId, campaignId, storeId, score });

  const member = await resolveMember(tenantId, mv.memberId(input.memberId));
  if (!member) throw new NotFoundError("Member", input.memberId);
  try {
    return await changeMember(tenantId, member.memberId, async (m) => {
      const now = new Date().toISOString();
      const event: EngagementEvent = { tenantId, eventId, memberId: m.memberId, type, channel, occurredAt, contentId, campaignId, storeId, score, fingerprint, createdAt: now };
      const lastActiveAt = !m.lastActiveAt || occurredAt > m.lastActiveAt ? occurredAt : m.lastActiveAt;
      // The campaign's counters and funnel, and the member's latest touch (last-touch attribution).
      const campaign = await eventCampaignEffects(tenantId, m, event);
      // The cart-abandoned journey needs the instant (ACTIVITY keeps days only): the latest
      // add-to-cart, kept on the member so the journeys job reads it from the MEMBER item alone.
      const lastCartAt = type === "ADD_TO_CART" && (!m.lastCartAt || occurredAt > m.lastCartAt) ? occurredAt : m.lastCartAt;
      return {
        member: { add: { eventCount: 1 }, set: { lastActiveAt, ...(lastCartAt ? { lastCartAt } : {}), ...(campaign.lastTouch ? { lastTouch: campaign.lastTouch } : {}) } },
        items: [
          {
            Put: {
              TableName: tableName(),
              Item: eventItem(event),
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          // The member's daily buckets (segment rules on events in a window).
          await activityPut(tenantId, m.memberId, (a, today) => addEvent(a, event, today)),
          // The content item's engagement counters and the member's reach marker.
          ...(await eventEngagementWrites(tenantId, m.memberId, event)),
          ...campaign.items,
        ],
        result: { event, duplicate: false },
        explain: () => new ConflictError("duplicate"),
      };
    });
  } catch (error) {
    const existing = await getEvent(tenantId, eventId);
    if (!existing) throw error;
    if (existing.fingerprint !== fingerprint) throw new ConflictError(`event id ${eventId} was already used for a different event`, { field: "eventId" });
    return { event: existing, duplicate: true };
  }
}

export async function getEvent(tenantId: string, eventId: string): Promise<EngagementEvent | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.event(tenantId, eventId), ConsistentRead: true }));
  return out.Item ? (stripKeys(out.Item) as unknown as EngagementEvent) : undefined;
}

/** A member's events, newest first. */
export async function listMemberEvents(tenantId: string, memberId: string, args: PageArgs): Promise<Page<EngagementEvent>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `events:${memberId}`, { index: "gsi1", pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.event }, args);
  return { ...page, items: page.items.map((i) => stripKeys(i) as unknown as EngagementEvent) };
}

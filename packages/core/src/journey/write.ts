import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Campaign } from "../campaign/types.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { backoff, transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { localDayNumber } from "../segment/activity.js";
import { segmentKeys } from "../segment/keys.js";
import { RetryableError } from "../shared/errors.js";
import { touchItem } from "./item.js";
import { journeyKeys } from "./keys.js";
import type { JourneyFacts, Occurrence, Touch, TouchContent } from "./types.js";

export type TouchOutcome = "WRITTEN" | "DUPLICATE" | "CAPPED" | "NO_CONSENT" | "NOT_IN_SEGMENT";

/** The frequency-cap item: the member's touches of one campaign within the cap's period. */
interface CapItem {
  /** Local day number (campaign zone) and touch id of each recent touch, oldest first. */
  recent: { d: number; id: string }[];
  version: number;
}

export interface TouchPlan {
  campaign: Campaign;
  /** The target segment's current version (membership is checked in the write), if it has one. */
  segment?: { segmentId: string; version: number };
  member: JourneyFacts;
  occurrence: Occurrence;
  content: TouchContent;
  /** The run instant (ISO): the touch's time for the cap. */
  at: string;
}

const MAX_ATTEMPTS = 10;

/**
 * Writes one touch, exactly once per (campaign, member, channel, occurrence), in one
 * transaction that also checks, at write time, that the member is active with marketing
 * consent and in the campaign's segment, and counts the touch against the campaign's frequency
 * cap: at most `maxTouches` touches on the last `periodDays` local days (campaign zone), today
 * included. The cap item is version-conditioned, so two runs at once cannot both take the last
 * slot; a lost race reads again.
 */
export async function writeTouch(tenantId: string, plan: TouchPlan): Promise<TouchOutcome> {
  const { campaign, member, occurrence, content, at } = plan;
  const journey = campaign.config.journey!;
  const touchId = journeyKeys.touchId(tenantId, campaign.campaignId, member.memberId, journey.channel, occurrence.key);
  const cap = campaign.frequencyCap;
  const today = localDayNumber(at, campaign.timeZone);
  const capKey = journeyKeys.cap(tenantId, member.memberId, campaign.campaignId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const items: TransactItem[] = [];
    const now = new Date().toISOString();
    const touch: Touch = {
      tenantId,
      touchId,
      campaignId: campaign.campaignId,
      memberId: member.memberId,
      channel: journey.channel,
      trigger: occurrence.trigger,
      occurrence: occurrence.key,
      triggeredAt: occurrence.at,
      content,
      status: "PENDING",
      runAt: at,
      createdAt: now,
      updatedAt: now,
    };
    items.push({ Put: { TableName: tableName(), Item: touchItem(touch), ConditionExpression: "attribute_not_exists(pk)" } });
    items.push({
      ConditionCheck: {
        TableName: tableName(),
        Key: keys.member(tenantId, member.memberId),
        ConditionExpression: "marketingConsent = :yes AND #status = :active",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":yes": true, ":active": "ACTIVE" },
      },
    });
    if (plan.segment) {
      items.push({
        ConditionCheck: {
          TableName: tableName(),
          Key: segmentKeys.membership(tenantId, plan.segment.segmentId, plan.segment.version, member.listShard, member.memberId),
          ConditionExpression: "attribute_exists(pk)",
        },
      });
    }
    if (cap) {
      const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: capKey, ConsistentRead: true }));
      const stored = out.Item as CapItem | undefined;
      const recent = (stored?.recent ?? []).filter((r) => r.d > today - cap.periodDays);
      if (recent.some((r) => r.id === touchId)) return "DUPLICATE";
      if (recent.length >= cap.maxTouches) return "CAPPED";
      items.push({
        Put: {
          TableName: tableName(),
          Item: { ...capKey, tenantId, memberId: member.memberId, campaignId: campaign.campaignId, recent: [...recent, { d: today, id: touchId }], version: (stored?.version ?? 0) + 1 },
          ConditionExpression: stored ? "version = :v" : "attribute_not_exists(pk)",
          ...(stored ? { ExpressionAttributeValues: { ":v": stored.version } } : {}),
        },
      });
    }
    try {
      await transact(items);
      return "WRITTEN";
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedCondition(0)) return "DUPLICATE";
      if (error.failedCondition(1)) return "NO_CONSENT";
      if (plan.segment && error.failedCondition(2)) return "NOT_IN_SEGMENT";
      // The cap item changed since it was read (another run touched this member): read again.
      await backoff(Math.min(attempt, 5));
    }
  }
  throw new RetryableError(`the frequency cap of member ${member.memberId} kept changing`);
}

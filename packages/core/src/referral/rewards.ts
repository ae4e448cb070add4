import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { isRunning } from "../campaign/item.js";
import { findCampaign } from "../campaign/store.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { resolveMember } from "../member/read.js";
import type { Member } from "../member/types.js";
import { newPointsEntry, pointsEntryItem } from "../points/entry.js";
import { planRewardCoupon, REWARD_COUPON_ITEMS } from "../coupon/reward.js";
import { dayCounterUpdate, findReferral, localDay, partnerCounterUpdate } from "./item.js";
import { referralKeys } from "./keys.js";

/**
 * Most items the rewards add to an order's transaction: the referral flip, the invitee's ledger
 * entry, the referrer's balance, ledger entry and counts, a ladder step and its ledger entry, the
 * day counter, and a reward coupon each for referrer and invitee. order/record.ts keeps this much
 * room in every chunk.
 */
export const REFERRAL_REWARD_ITEMS = 8 + 2 * REWARD_COUPON_ITEMS;

export interface ReferralRewards {
  /** Writes for the order's transaction; any failed condition among them means "read again". */
  items: TransactItem[];
  /** Points for the invitee: the caller adds them to the invitee's own update (and the entry is in `items`). */
  inviteePoints: number;
  /** The referral campaign: the first order is attributed to it unless it names a campaign. */
  campaignId: string;
}

/**
 * The rewards of a referral campaign, planned inside the invitee's first-order transaction
 * (order/record.ts writeChunk, `member` read there): only when this is the member's first order
 * (orderCount 0), they have a JOINED referral, and its campaign is running now.
 *
 * Exactly once: the referral flips JOINED → CONVERTED under the condition `status = JOINED` in
 * the same transaction as the order and every reward, and the invitee's version condition of that
 * transaction already makes a second first order (the same order sent twice or concurrently, or
 * another order at the same time) read the member again and see orderCount 1. The referrer's
 * conversion count is read here and written with `conversions = <read>`, so the ladder step it
 * reaches is decided exactly (two invitees converting at once: one transaction retries); the step's
 * own item (`attribute_not_exists`) is a second guard. Referrer points are an ADD on the balance
 * (no version bump, like points/move.ts), so they never contend with the referrer's own orders.
 */
export async function planReferralRewards(
  tenantId: string,
  invitee: Member,
  firstOrder: { orderId: string; occurredAt: string },
  actor: string,
  now: Date,
): Promise<ReferralRewards | undefined> {
  if (invitee.orderCount !== 0 || (!invitee.referrerId && !invitee.referredByPartnerId)) return undefined;
  const referral = await findReferral(tenantId, invitee.memberId, true);
  if (!referral || referral.status !== "JOINED") return undefined;
  const campaign = await findCampaign(tenantId, referral.campaignId);
  if (!campaign || campaign.type !== "REFERRAL" || !isRunning(campaign, now)) return undefined;
  const config = campaign.config.referral ?? {};
  const table = tableName();
  const at = now.toISOString();
  const items: TransactItem[] = [];

  // The referrer may have been merged since: the survivor is rewarded; an erased or otherwise
  // inactive referrer gets nothing (the invitee's gift stands).
  const referrer = referral.referrerId ? await resolveMember(tenantId, referral.referrerId) : undefined;
  const rewardable = referrer?.status === "ACTIVE" ? referrer : undefined;
  let referrerPoints = 0;
  let ladderPoints = 0;
  let referrerCouponCode: string | undefined;
  if (rewardable) {
    const countsKey = referralKeys.referrerCounts(tenantId, rewardable.memberId, campaign.campaignId);
    const counts = await documentClient().send(new GetCommand({ TableName: table, Key: countsKey, ConsistentRead: true, ProjectionExpression: "conversions" }));
    const before = Number(counts.Item?.conversions ?? 0);
    const after = before + 1;
    items.push({
      Update: {
        TableName: table,
        Key: countsKey,
        UpdateExpression: "SET campaignId = :c, memberId = :m ADD conversions :one",
        ConditionExpression: before === 0 ? "attribute_not_exists(conversions)" : "conversions = :before",
        ExpressionAttributeValues: { ":c": campaign.campaignId, ":m": rewardable.memberId, ":one": 1, ...(before === 0 ? {} : { ":before": before }) },
      },
    });
    referrerPoints = config.referrerPoints ?? 0;
    const step = (config.ladder ?? []).find((s) => s.referrals === after);
    if (step && step.points > 0) {
      ladderPoints = step.points;
      items.push({
        Put: {
          TableName: table,
          Item: { ...referralKeys.ladderStep(tenantId, rewardable.memberId, campaign.campaignId, step.referrals), tenantId, campaignId: campaign.campaignId, memberId: rewardable.memberId, referrals: step.referrals, points: step.points, inviteeId: invitee.memberId, grantedAt: at },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
      const entry = newPointsEntry({ tenantId, memberId: rewardable.memberId, type: "REFERRAL", points: step.points, reason: `referral ladder: ${step.referrals} successful referrals`, campaignId: campaign.campaignId, relatedMemberId: invitee.memberId, actor, createdAt: at });
      items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
    }
    if (referrerPoints > 0) {
      const entry = newPointsEntry({ tenantId, memberId: rewardable.memberId, type: "REFERRAL", points: referrerPoints, reason: "referral reward: invitee's first order", orderId: firstOrder.orderId, campaignId: campaign.campaignId, relatedMemberId: invitee.memberId, actor, createdAt: at });
      items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
    }
    if (config.referrerCouponId) {
      const reward = await planRewardCoupon(tenantId, config.referrerCouponId, rewardable.memberId, now);
      if (reward) {
        items.push(...reward.items);
        referrerCouponCode = reward.coupon.code;
      }
    }
    if (referrerPoints + ladderPoints > 0) {
      items.push({
        Update: {
          TableName: table,
          Key: keys.member(tenantId, rewardable.memberId),
          UpdateExpression: "ADD pointsBalance :p",
          ConditionExpression: "#s = :active",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":p": referrerPoints + ladderPoints, ":active": "ACTIVE" },
        },
      });
    }
  }

  const inviteePoints = config.inviteeFirstOrderPoints ?? 0;
  if (inviteePoints > 0) {
    const entry = newPointsEntry({ tenantId, memberId: invitee.memberId, type: "REFERRAL", points: inviteePoints, reason: "referral gift: first order", orderId: firstOrder.orderId, campaignId: campaign.campaignId, relatedMemberId: referral.referrerId, actor, createdAt: at });
    items.push({ Put: { TableName: table, Item: pointsEntryItem(entry) } });
  }
  const inviteeCoupon = config.inviteeCouponId ? await planRewardCoupon(tenantId, config.inviteeCouponId, invitee.memberId, now) : undefined;
  if (inviteeCoupon) items.push(...inviteeCoupon.items);
  const codes = { ...(referrerCouponCode ? { ":rc": referrerCouponCode } : {}), ...(inviteeCoupon ? { ":ic": inviteeCoupon.coupon.code } : {}) };
  items.push({
    Update: {
      TableName: table,
      Key: referralKeys.record(tenantId, invitee.memberId),
      UpdateExpression: `SET #s = :converted, convertedAt = :at, orderId = :o, inviteePoints = :ip, referrerPoints = :rp, ladderPoints = :lp${referrerCouponCode ? ", referrerCouponCode = :rc" : ""}${inviteeCoupon ? ", inviteeCouponCode = :ic" : ""}`,
      ConditionExpression: "#s = :joined",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":converted": "CONVERTED", ":joined": "JOINED", ":at": at, ":o": firstOrder.orderId, ":ip": inviteePoints, ":rp": referrerPoints, ":lp": ladderPoints, ...codes },
    },
  });
  items.push(dayCounterUpdate(tenantId, campaign.campaignId, localDay(firstOrder.occurredAt, campaign.timeZone), { converted: 1 }));
  if (referral.partnerId) items.push(partnerCounterUpdate(tenantId, campaign.campaignId, referral.partnerId, { converted: 1 }));
  return { items, inviteePoints, campaignId: campaign.campaignId };
}

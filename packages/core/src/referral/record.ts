import { countersUpdate } from "../campaign/results/counters.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { isRunning } from "../campaign/item.js";
import { documentClient, tableName } from "../db/client.js";
import { backoff, type TransactItem } from "../db/transact.js";
import { changeMember } from "../member/mutate.js";
import { planReferrer } from "../member/referral.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, RetryableError, ValidationError } from "../shared/errors.js";
import { findInviteCode, referralCampaign } from "./code.js";
import { dayCounterUpdate, findReferral, localDay, referralItem } from "./item.js";
import { referralKeys } from "./keys.js";
import type { Referral } from "./types.js";

export interface RecordReferralInput {
  code: string;
  inviteeId: string;
}

/**
 * Records that an invitee joined with a referrer's code: the referral record (status JOINED),
 * the invitee's `referrerId` (member/referral.ts rules: no self-referral, no cycles, an active
 * referrer), the referrer's counts in the campaign and the campaign's day counters, in one
 * transaction conditioned on the invitee's version. At most one referral per invitee: the same
 * code again answers the first record (`duplicate`), another code is a CONFLICT. The campaign
 * must be running; an invitee who has ordered already is not acquired by the referral (CONFLICT).
 */
export async function recordReferral(tenantId: string, input: RecordReferralInput, now = new Date()): Promise<{ referral: Referral; duplicate: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return await recordOnce(tenantId, input, now);
    } catch (error) {
      if (!(error instanceof RaceLost)) throw error;
      await backoff(attempt);
    }
  }
  throw new RetryableError("the referral is being changed by many requests at once; try again");
}

/** A condition beside the invitee's version failed (the referrer changed, or their first referral raced): read again. */
class RaceLost extends Error {}

async function recordOnce(tenantId: string, input: RecordReferralInput, now: Date): Promise<{ referral: Referral; duplicate: boolean }> {
  const inviteeId = mv.memberId(input.inviteeId, "inviteeId");
  const invite = await findInviteCode(tenantId, input.code);
  if (!invite) throw new NotFoundError("Invite code", input.code);
  const campaign = await referralCampaign(tenantId, invite.campaignId, now);
  if (invite.memberId === inviteeId) throw new ValidationError("a member cannot use their own invite code", "code");

    // The usual repeat (a client retrying) is answered without a write.
  const answered = await findReferral(tenantId, inviteeId, true);
  if (answered?.code === invite.code) return { referral: answered, duplicate: true };

  return changeMember<{ referral: Referral; duplicate: boolean }>(tenantId, inviteeId, async (invitee) => {
    const prior = await findReferral(tenantId, inviteeId, true);
    if (prior) {
      if (prior.code === invite.code) return { member: {}, result: { referral: prior, duplicate: true } };
      throw new ConflictError(`member ${inviteeId} was already referred in campaign ${prior.campaignId}`, { field: "inviteeId" });
    }
    if (!isRunning(campaign, now)) throw new ConflictError(`campaign ${campaign.campaignId} is ${campaign.status}, not RUNNING: referrals are not recorded`);
    if (invitee.orderCount > 0) throw new ConflictError(`member ${inviteeId} has ordered already and cannot be acquired by referral`, { field: "inviteeId" });
    const base = await planReferrer(tenantId, invitee, invite.memberId);
    const at = now.toISOString();
    const referral: Referral = { tenantId, campaignId: campaign.campaignId, referrerId: invite.memberId, inviteeId, code: invite.code, status: "JOINED", referredAt: at };
    const table = tableName();
    const countsKey = referralKeys.referrerCounts(tenantId, invite.memberId, campaign.campaignId);
    // First referral of this referrer in the campaign? Decided from a read and made exact by the
    // condition below (a concurrent first referral of the same referrer makes one of us retry).
    const counts = await documentClient().send(new GetCommand({ TableName: table, Key: countsKey, ConsistentRead: true, ProjectionExpression: "pk" }));
    const firstReferral = counts.Item === undefined;
    const items: TransactItem[] = [
      ...(base.items ?? []),
      { Put: { TableName: table, Item: referralItem(referral), ConditionExpression: "attribute_not_exists(pk)" } },
      {
        Update: {
          TableName: table,
          Key: countsKey,
          UpdateExpression: "SET campaignId = :c, memberId = :m, firstReferralAt = if_not_exists(firstReferralAt, :at) ADD referrals :one",
          ConditionExpression: firstReferral ? "attribute_not_exists(pk)" : "attribute_exists(pk)",
          ExpressionAttributeValues: { ":c": campaign.campaignId, ":m": invite.memberId, ":at": at, ":one": 1 },
        },
      },
      dayCounterUpdate(tenantId, campaign.campaignId, localDay(at, campaign.timeZone), firstReferral ? { referred: 1, referrers: 1 } : { referred: 1 }),
      // The campaign's funnel: the invitee joined through it (once: one referral per invitee).
      ...countersUpdate(tenantId, campaign.campaignId, inviteeId, { referredMembers: 1 }, invitee.partnerSharingConsent === true),
    ];
    return {
      member: base.member,
      items,
      result: { referral, duplicate: false },
      explain: () => new RaceLost(),
    };
  });
}

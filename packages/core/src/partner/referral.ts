import { isRunning } from "../campaign/item.js";
import { findCampaign } from "../campaign/store.js";
import { campaignKeys } from "../campaign/keys.js";
import { countersUpdate } from "../campaign/results/counters.js";
import { batchGet } from "../db/batch.js";
import { tableName } from "../db/client.js";
import { changeMember } from "../member/mutate.js";
import { findInviteCode } from "../referral/code.js";
import { dayCounterUpdate, findReferral, localDay, partnerCounterUpdate, referralItem } from "../referral/item.js";
import { referralKeys } from "../referral/keys.js";
import type { Referral } from "../referral/types.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";

export interface JointReferral {
  campaignId: string;
  code: string;
  recordedAt: string;
  duplicate: boolean;
}

const DAY_MS = 86_400_000;

/**
 * A partner records that a member it referred joined the brand: the member shows the partner
 * their invite code in a joint REFERRAL campaign (as they show a co-branded coupon), and the
 * partner sends it. The member's referral is then the partner's (`partnerId`, no member
 * referrer): counted in the campaign's referred members and in the partner's own counts, and the
 * member's first order brings the invitee's gift (there is no referrer reward: a partner is not a
 * member). The partner learns nothing about the member: the answer holds the campaign and code.
 *
 * Only a member who can be acquired: consented to partner sharing (partner features only use
 * those), joined within the brand's attribution window, has not ordered and has no referral yet.
 * A code that does not exist or belongs to a campaign the partner is not in is NOT_FOUND (one
 * answer for both, so a partner cannot probe the brand's campaigns); any refusal about the member
 * is one CONFLICT with a reason that names no personal data. The same code again by the same
 * partner answers the first record (`duplicate`).
 */
export async function recordJointReferral(tenantId: string, partnerId: string, input: { code: string }, now = new Date()): Promise<JointReferral> {
  const invite = await findInviteCode(tenantId, input.code);
  const campaign = invite ? await findCampaign(tenantId, invite.campaignId) : undefined;
  if (!invite || !campaign || campaign.type !== "REFERRAL" || !campaign.partnerIds.includes(partnerId)) throw new NotFoundError("Invite code", input.code);
  const answer = (r: Referral, duplicate: boolean): JointReferral => ({ campaignId: r.campaignId, code: invite.code, recordedAt: r.referredAt, duplicate });
  const refused = (reason: string) => new ConflictError("this member cannot be recorded as referred by you", { reason });

  const answered = await findReferral(tenantId, invite.memberId, true);
  if (answered?.partnerId === partnerId && answered.campaignId === campaign.campaignId) return answer(answered, true);
  if (!isRunning(campaign, now)) throw new ConflictError(`campaign ${campaign.campaignId} is not running: referrals are not recorded`, { reason: "CAMPAIGN_NOT_RUNNING" });
  const windowDays = (await getSettings(tenantId)).attributionWindowDays;

  return changeMember<JointReferral>(tenantId, invite.memberId, async (member) => {
    const prior = await findReferral(tenantId, member.memberId, true);
    if (prior) {
      if (prior.partnerId === partnerId && prior.campaignId === campaign.campaignId) return { member: {}, result: answer(prior, true) };
      throw refused("ALREADY_REFERRED");
    }
    if (member.referrerId || member.referredByPartnerId) throw refused("ALREADY_REFERRED");
    if (!member.partnerSharingConsent) throw refused("NO_PARTNER_SHARING_CONSENT");
    if (member.orderCount > 0) throw refused("ALREADY_A_CUSTOMER");
    if (now.getTime() - Date.parse(member.joinedAt) > windowDays * DAY_MS) throw refused("JOINED_TOO_LONG_AGO");
    const at = now.toISOString();
    const referral: Referral = { tenantId, campaignId: campaign.campaignId, partnerId, inviteeId: member.memberId, code: invite.code, status: "JOINED", referredAt: at };
    return {
      member: { set: { referredByPartnerId: partnerId, referredAt: at }, condition: "attribute_not_exists(referrerId) AND attribute_not_exists(referredByPartnerId)" },
      items: [
        { Put: { TableName: tableName(), Item: referralItem(referral), ConditionExpression: "attribute_not_exists(pk)" } },
        dayCounterUpdate(tenantId, campaign.campaignId, localDay(at, campaign.timeZone), { partnerReferred: 1 }),
        partnerCounterUpdate(tenantId, campaign.campaignId, partnerId, { joined: 1 }),
        // The campaign's funnel: a referred member (consented to partner sharing, so in the shared twin too).
        ...countersUpdate(tenantId, campaign.campaignId, member.memberId, { referredMembers: 1 }, true),
      ],
      result: answer(referral, false),
      explain: () => refused("ALREADY_REFERRED"),
    };
  });
}

/** A partner's referral counts in joint campaigns (zeros where none), in the order asked. */
export async function partnerReferralCounts(tenantId: string, partnerId: string, campaignIds: readonly string[]): Promise<{ joined: number; converted: number }[]> {
  const keys = campaignIds.map((c) => referralKeys.partnerCounts(tenantId, c, partnerId));
  const items = await batchGet<{ sk: string; pk: string; joined?: number; converted?: number }>(keys, ["pk", "sk", "joined", "converted"]);
  const byPk = new Map(items.map((i) => [i.pk, i]));
  return campaignIds.map((c) => {
    const i = byPk.get(campaignKeys.partition(tenantId, c));
    return { joined: Number(i?.joined ?? 0), converted: Number(i?.converted ?? 0) };
  });
}

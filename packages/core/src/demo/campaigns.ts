import { changeCampaignStatus } from "../campaign/status.js";
import { createCampaign, findCampaign } from "../campaign/store.js";
import type { CreateCampaignInput } from "../campaign/store.js";
import { createPartner, createPartnerKey, findPartner, invitePartnerToCampaign, listPartnerKeys, revokePartnerKey } from "../partner/index.js";
import type { Segment } from "../segment/types.js";
import { CAMPAIGNS } from "./catalog.js";
import { createCouponDefinition, findCouponDefinition, issueCouponsToSegment } from "../coupon/index.js";
import { findSegment } from "../segment/store.js";

/**
 * The demo's campaigns: the history's campaigns (the ids its messages and orders name) as
 * ended coupon campaigns with their real windows, so their results fill from the members'
 * events and orders as they load; and four running now: a coupon campaign for members
 * reachable on WeChat, a referral (fission) campaign with a reward ladder, a win-back journey and
 * a welcome journey (which greets the referral chain's new members at `npm start`). A partner brand joins the winter coupon campaign and the mid-autumn one (whose
 * history gives it results above the suppression threshold).
 */
const NAMES: Record<string, string> = {
  "cp-2025-double11": "2025双11会员节",
  "cp-2025-1212": "2025双12返场",
  "cp-2026-spring-festival": "2026新春礼遇",
  "cp-2026-520": "520告白季",
  "cp-2026-618": "2026年618会员周",
  "cp-2026-qixi": "七夕限定",
  "cp-2026-mid-autumn": "2026中秋团圆",
};

export const DEMO_PARTNER_ID = "neighbour-bakery";
export const DEMO_COUPON_ID = "winter-10-off-30";
const by = { actor: "demo-loader" };

/** The running fission campaign (its chain of referrals: referrals.ts). */
export const DEMO_REFERRAL_CAMPAIGN_ID = "cp-bring-a-friend";
export const DEMO_REFERRAL_CAMPAIGN: Omit<CreateCampaignInput, "id"> = {
  name: "老带新 邀请有礼",
  description: "Invite a friend: 100 points for the friend's first order, 200 for the inviter, more at 3, 5 and 10.",
  type: "REFERRAL",
  channels: ["MINI_PROGRAM", "WECOM"],
  budget: 5_000,
  config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [{ referrals: 3, points: 300 }, { referrals: 5, points: 600 }, { referrals: 10, points: 1500 }] } },
};
const DAY = 86_400_000;
const localMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);

async function ensure(tenantId: string, id: string, input: Omit<CreateCampaignInput, "id">, moves: [string, Date | undefined][]): Promise<boolean> {
  if (await findCampaign(tenantId, id, true)) return false;
  await createCampaign(tenantId, { ...input, id }, by);
  for (const [status, at] of moves) await changeCampaignStatus(tenantId, id, status, at);
  return true;
}

/** Creates the demo campaigns and partner that are missing; returns how many campaigns were written. */
export async function loadDemoCampaigns(tenantId: string, segments: Map<string, Segment>, now = new Date()): Promise<number> {
  let written = 0;
  for (const c of CAMPAIGNS) {
    const start = localMidnight(c.from);
    const end = new Date(localMidnight(c.to).getTime() + DAY);
    const input = { name: NAMES[c.id] ?? c.id, type: "COUPON", channels: ["WECOM", "WECHAT_OA", "SMS"], startAt: start.toISOString(), endAt: end.toISOString(), budget: 20_000 };
    // Started at its start, ended at its end (the history it covers is already written).
    if (await ensure(tenantId, c.id, input, [["RUNNING", start], ["ENDED", new Date(end.getTime() - 1)]])) written++;
  }
  const running: [string, Omit<CreateCampaignInput, "id">][] = [
    [
      "cp-winter-coupons",
      { name: "冬季暖饮券", description: "A 10-yuan coupon for members reachable on WeChat.", type: "COUPON", targetSegmentId: segments.get("reachable")?.segmentId, channels: ["WECOM", "MINI_PROGRAM"], endAt: new Date(now.getTime() + 30 * DAY).toISOString(), budget: 8_000, frequencyCap: { maxTouches: 2, periodDays: 7 } },
    ],
    [DEMO_REFERRAL_CAMPAIGN_ID, DEMO_REFERRAL_CAMPAIGN],
    [
      "cp-winback-60",
      { name: "沉睡唤醒 60天", description: "A message to members with no activity for 60 days.", type: "JOURNEY", targetSegmentId: segments.get("winback")?.segmentId, channels: ["WECOM"], frequencyCap: { maxTouches: 1, periodDays: 30 }, config: { journey: { trigger: "INACTIVE", inactiveDays: 60, contentId: "ct-member-story-barista", channel: "WECOM" } } },
    ],
    [
      "cp-welcome",
      { name: "新会员欢迎礼", description: "A welcome message with the brand's story to every member who joins.", type: "JOURNEY", channels: ["MINI_PROGRAM"], frequencyCap: { maxTouches: 2, periodDays: 7 }, config: { journey: { trigger: "JOINED", contentId: "ct-member-story-barista", channel: "MINI_PROGRAM" } } },
    ],
  ];
  for (const [id, input] of running) if (await ensure(tenantId, id, input, [["RUNNING", undefined]])) written++;
  // The winter campaign's coupon: 10 yuan off 30, a week from issue, online, in store or at the
  // partner's bakeries; issued to its segment once that is materialised (issueDemoCoupons).
  if (!(await findCouponDefinition(tenantId, DEMO_COUPON_ID))) {
    await createCouponDefinition(
      tenantId,
      { id: DEMO_COUPON_ID, campaignId: "cp-winter-coupons", name: "冬季暖饮 满30减10", amountOff: 10, minimumSpend: 30, validDays: 7, totalQuantity: 2_000, perMemberLimit: 1, redeemableAt: ["ONLINE", "STORE", "PARTNER"] },
      by,
    );
  }
  if (!(await findPartner(tenantId, DEMO_PARTNER_ID, true))) await createPartner(tenantId, { id: DEMO_PARTNER_ID, name: "邻家烘焙 Neighbour Bakery", contactEmail: "bd@bakery.example" }, by);
  for (const id of ["cp-2026-mid-autumn", "cp-winter-coupons"]) await invitePartnerToCampaign(tenantId, id, DEMO_PARTNER_ID);
  return written;
}

/**
 * A working key for the demo partner, for `npm start` to print: keys are stored as hashes only,
 * so each start revokes the demo partner's previous keys and makes a new one.
 */
export async function rotateDemoPartnerKey(tenantId: string): Promise<string | undefined> {
  if (!(await findPartner(tenantId, DEMO_PARTNER_ID))) return undefined;
  for (const k of await listPartnerKeys(tenantId, DEMO_PARTNER_ID)) if (!k.revokedAt) await revokePartnerKey(tenantId, k.keyId, by);
  return (await createPartnerKey(tenantId, DEMO_PARTNER_ID, by)).key;
}

/**
 * Issues the demo's winter coupon to its segment (members reachable on WeChat with marketing
 * consent), once that segment has a membership; a rerun issues nothing more. Returns how many
 * were issued now, or undefined when there is nothing to do yet.
 */
export async function issueDemoCoupons(tenantId: string): Promise<number | undefined> {
  const definition = await findCouponDefinition(tenantId, DEMO_COUPON_ID);
  if (!definition || definition.issued > 0) return undefined;
  const campaign = await findCampaign(tenantId, definition.campaignId);
  const segment = campaign?.targetSegmentId ? await findSegment(tenantId, campaign.targetSegmentId) : undefined;
  if (!segment?.currentVersion) return undefined;
  return (await issueCouponsToSegment(tenantId, DEMO_COUPON_ID)).issued;
}

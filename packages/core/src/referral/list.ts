import { assertCampaignId } from "../campaign/keys.js";
import { queryPage } from "../db/query.js";
import * as mv from "../member/validate.js";
import type { Page, PageArgs } from "../shared/page.js";
import { fromReferralItem } from "./item.js";
import { referralKeys } from "./keys.js";
import type { Referral } from "./types.js";

/**
 * The referrals a member made (as referrer), one campaign or all, newest first within a
 * campaign: one Query of gsi2 (`T#t#REFERRALS#BY#<referrer>`, sort `<campaign>#<at>#<invitee>`).
 */
export async function listReferralsOf(tenantId: string, referrerIdInput: string, campaignId: string | null | undefined, args: PageArgs): Promise<Page<Referral>> {
  const referrerId = mv.memberId(referrerIdInput, "memberId");
  const prefix = campaignId ? `${assertCampaignId(campaignId, "campaignId")}#` : undefined;
  const page = await queryPage<Record<string, unknown>>(tenantId, `referrals:${referrerId}:${campaignId ?? "ANY"}`, { index: "gsi2", pk: referralKeys.byReferrer(tenantId, referrerId), skPrefix: prefix }, args);
  return { ...page, items: page.items.map(fromReferralItem) };
}

/**
 * Keys of referral (fission) items (docs/campaigns.md "Referral" has the table). Every key
 * starts with `T#<tenant>#` through the shared builders; campaign and member ids are
 * client-style ids (no `#`); invite codes are our own alphabet (code.ts).
 *
 * | Item | pk | sk | gsi1 | gsi2 |
 * |---|---|---|---|---|
 * | Invite code | `T#t#INVITE#<code>` | `INVITE` | | |
 * | A member's code in a campaign | `T#t#M#<member>` | `INVITE#<campaign>` | | |
 * | Referral record (one per invitee) | `T#t#M#<invitee>` | `REFERRAL` | `T#t#REFERRALS#<campaign>` / `<at>#<invitee>` | `T#t#REFERRALS#BY#<referrer>` / `<campaign>#<at>#<invitee>` |
 * | Referrer's counts in a campaign | `T#t#M#<referrer>` | `REFCAMP#<campaign>` | | |
 * | Ladder step granted | `T#t#M#<referrer>` | `REFLADDER#<campaign>#<referrals>` | | |
 * | Campaign's counts of a local day | `T#t#CAMPAIGN#<campaign>` | `REFDAY#<yyyy-mm-dd>` | | |
 * | A partner's referral counts in a joint campaign | `T#t#CAMPAIGN#<campaign>` | `PARTNERREF#<partner>` | | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { campaignKeys } from "../campaign/keys.js";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export const REFERRAL_SK = "REFERRAL";
export const DAY_PREFIX = "REFDAY#";

export const referralKeys = {
  code: (tenantId: string, code: string): Keys => ({ pk: `${t(tenantId)}#INVITE#${code}`, sk: "INVITE" }),
  memberCode: (tenantId: string, memberId: string, campaignId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `INVITE#${campaignId}` }),
  record: (tenantId: string, inviteeId: string): Keys => ({ pk: keys.memberPartition(tenantId, inviteeId), sk: REFERRAL_SK }),
  /** gsi1: a campaign's referrals by the time they were recorded. */
  ofCampaign: (tenantId: string, campaignId: string) => `${t(tenantId)}#REFERRALS#${campaignId}`,
  campaignSort: (at: string, inviteeId: string) => `${at}#${inviteeId}`,
  /** gsi2: the referrals a member made, by campaign then time. */
  byReferrer: (tenantId: string, referrerId: string) => `${t(tenantId)}#REFERRALS#BY#${referrerId}`,
  referrerSort: (campaignId: string, at: string, inviteeId: string) => `${campaignId}#${at}#${inviteeId}`,
  referrerCounts: (tenantId: string, referrerId: string, campaignId: string): Keys => ({ pk: keys.memberPartition(tenantId, referrerId), sk: `REFCAMP#${campaignId}` }),
  ladderStep: (tenantId: string, referrerId: string, campaignId: string, referrals: number): Keys => ({
    pk: keys.memberPartition(tenantId, referrerId),
    sk: `REFLADDER#${campaignId}#${String(referrals).padStart(6, "0")}`,
  }),
  partnerCounts: (tenantId: string, campaignId: string, partnerId: string): Keys => ({ pk: campaignKeys.partition(tenantId, campaignId), sk: `PARTNERREF#${partnerId}` }),
  day: (tenantId: string, campaignId: string, day: string): Keys => ({ pk: campaignKeys.partition(tenantId, campaignId), sk: `${DAY_PREFIX}${day}` }),
};

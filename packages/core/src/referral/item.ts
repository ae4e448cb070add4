import { counterUpdate } from "../db/counters.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { DateTime } from "luxon";
import { documentClient, tableName } from "../db/client.js";
import { stripKeys } from "../db/keys.js";
import { referralKeys } from "./keys.js";
import type { Referral } from "./types.js";

export const referralItem = (r: Referral) => ({
  ...referralKeys.record(r.tenantId, r.inviteeId),
  gsi1pk: referralKeys.ofCampaign(r.tenantId, r.campaignId),
  gsi1sk: referralKeys.campaignSort(r.referredAt, r.inviteeId),
  ...(r.referrerId ? { gsi2pk: referralKeys.byReferrer(r.tenantId, r.referrerId), gsi2sk: referralKeys.referrerSort(r.campaignId, r.referredAt, r.inviteeId) } : {}),
  ...r,
});

export const fromReferralItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Referral;

/** The invitee's referral record, if any (one GetItem). */
export async function findReferral(tenantId: string, inviteeId: string, consistent = false): Promise<Referral | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: referralKeys.record(tenantId, inviteeId), ConsistentRead: consistent }));
  return out.Item ? fromReferralItem(out.Item) : undefined;
}

/** An ADD on a partner's referral counts in a joint campaign (`joined`, `converted`). */
export function partnerCounterUpdate(tenantId: string, campaignId: string, partnerId: string, add: Partial<Record<"joined" | "converted", number>>) {
  return counterUpdate(referralKeys.partnerCounts(tenantId, campaignId, partnerId), { campaignId, partnerId, tenantId }, add as Record<string, number>);
}

/** The local calendar day (YYYY-MM-DD) of an instant in a zone: the bucket of the day counters. */
export const localDay = (instant: string, zone: string) => DateTime.fromISO(instant, { zone: "utc" }).setZone(zone).toISODate()!;

/** An ADD on the campaign's counters of one local day (created on first use). */
export function dayCounterUpdate(tenantId: string, campaignId: string, day: string, add: Partial<Record<"referred" | "referrers" | "converted" | "partnerReferred", number>>) {
  return counterUpdate(referralKeys.day(tenantId, campaignId, day), { day, campaignId, tenantId }, add as Record<string, number>);
}

/**
 * Keys of journey items (docs/campaigns.md, "Automated journeys", has the table). Every key
 * starts with the tenant; touch ids are derived (`tch_` + hash), campaign ids are checked.
 *
 * | Item | pk | sk | gsi1 | gsi2 | gsi3 |
 * |---|---|---|---|---|---|
 * | Touch (outbox) | `T#t#TOUCH#<id>` | `TOUCH` | `T#t#M#<member>` / `TOUCH#<createdAt>#<id>` | `T#t#OUTBOX#<status>` / `<createdAt>#<id>` | `T#t#OUTBOX#CMP#<campaign>#<status>` / `<createdAt>#<id>` |
 * | Touch cap (per member and campaign) | `T#t#M#<member>` | `JCAP#<campaign>` | | | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { assertCampaignId } from "../campaign/keys.js";
import { ValidationError } from "../shared/errors.js";
import { stableId } from "../shared/ids.js";

export const TOUCH_SK = "TOUCH";
export const MEMBER_TOUCH_PREFIX = "TOUCH#";
export const CAP_PREFIX = "JCAP#";
const TOUCH_ID = /^tch_[A-Za-z0-9_-]{22}$/;

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertTouchId(touchId: string, field = "touchId"): string {
  if (!TOUCH_ID.test(touchId)) throw new ValidationError(`${field} is not a touch id`, field);
  return touchId;
}

export const journeyKeys = {
  /**
   * The touch id: a hash of (tenant, campaign, member, channel, occurrence), so finding the
   * same occurrence again (a rerun, an overlapping run) names the same item.
   */
  touchId: (tenantId: string, campaignId: string, memberId: string, channel: string, occurrence: string) =>
    stableId("tch", assertTenantId(tenantId), campaignId, memberId, channel, occurrence),
  touch: (tenantId: string, touchId: string): Keys => ({ pk: `${t(tenantId)}#TOUCH#${assertTouchId(touchId)}`, sk: TOUCH_SK }),
  /** gsi1 sort key under the member's partition key: a member's touches, newest first. */
  memberSort: (createdAt: string, touchId: string) => `${MEMBER_TOUCH_PREFIX}${createdAt}#${touchId}`,
  /** gsi2: a tenant's touches of one status. */
  byStatus: (tenantId: string, status: string) => `${t(tenantId)}#OUTBOX#${status}`,
  /** gsi3: one campaign's touches of one status. */
  byCampaign: (tenantId: string, campaignId: string, status: string) => `${t(tenantId)}#OUTBOX#CMP#${assertCampaignId(campaignId, "campaignId")}#${status}`,
  listSort: (createdAt: string, touchId: string) => `${createdAt}#${touchId}`,
  /** The member's recent touches of one campaign (frequency cap), in the member's partition. */
  cap: (tenantId: string, memberId: string, campaignId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `${CAP_PREFIX}${campaignId}` }),
};

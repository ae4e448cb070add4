/**
 * Keys of campaign items (docs/campaigns.md has the table). Campaign ids are client-style ids
 * (orders, events and spend name campaigns by the same id), so they never contain `#`.
 *
 * | Item | pk | sk | gsi1 | gsi2 |
 * |---|---|---|---|---|
 * | Campaign | `T#t#CAMPAIGN#<id>` | `CAMPAIGN` | `T#t#CAMPAIGNS#<stored status>` / `<createdAt>#<id>` | `T#t#CAMPAIGNS` / `<createdAt>#<id>` |
 */
import { assertTenantId, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

export const CAMPAIGN_SK = "CAMPAIGN";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertCampaignId(campaignId: string, field = "id"): string {
  if (!CLIENT_ID_PATTERN.test(campaignId)) throw new ValidationError(`${field} is not a campaign id`, field);
  return campaignId;
}

export const campaignKeys = {
  partition: (tenantId: string, campaignId: string) => `${t(tenantId)}#CAMPAIGN#${assertCampaignId(campaignId)}`,
  item: (tenantId: string, campaignId: string): Keys => ({ pk: campaignKeys.partition(tenantId, campaignId), sk: CAMPAIGN_SK }),
  /** gsi1: a tenant's campaigns of one stored status. */
  byStatus: (tenantId: string, status: string) => `${t(tenantId)}#CAMPAIGNS#${status}`,
  /** gsi2: all of a tenant's campaigns. */
  all: (tenantId: string) => `${t(tenantId)}#CAMPAIGNS`,
  listSort: (createdAt: string, campaignId: string) => `${createdAt}#${campaignId}`,
};

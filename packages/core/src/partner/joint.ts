import { campaignItem, effectiveCampaign } from "../campaign/item.js";
import { getCampaigns, getStoredCampaign } from "../campaign/store.js";
import { MAX_CAMPAIGN_PARTNERS, type Campaign } from "../campaign/types.js";
import { tableName } from "../db/client.js";
import { queryAll } from "../db/query.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { JOINT_PREFIX, partnerKeys } from "./keys.js";
import { getPartner } from "./store.js";

/**
 * A campaign's partners: the campaign's `partnerIds` and one link item per (partner, campaign)
 * in the partner's partition, written together in one transaction (conditioned on the
 * campaign's revision), so "the partner's campaigns" is one Query and always agrees with the
 * campaign.
 */
async function changePartners(tenantId: string, campaignId: string, partnerId: string, join: boolean): Promise<Campaign> {
  const partner = await getPartner(tenantId, partnerId);
  // Any status, ended included: sharing a past joint campaign's results is access, not a change of the campaign.
  const before = await getStoredCampaign(tenantId, campaignId);
  const has = before.partnerIds.includes(partner.partnerId);
  if (has === join) return effectiveCampaign(before);
  const partnerIds = join ? [...before.partnerIds, partner.partnerId] : before.partnerIds.filter((p) => p !== partner.partnerId);
  if (partnerIds.length > MAX_CAMPAIGN_PARTNERS) throw new ValidationError(`a campaign has at most ${MAX_CAMPAIGN_PARTNERS} partners`, "input.partnerId");
  const after: Campaign = { ...before, partnerIds, revision: before.revision + 1, updatedAt: new Date().toISOString() };
  const link = partnerKeys.joint(tenantId, partner.partnerId, campaignId);
  try {
    await transact([
      { Put: { TableName: tableName(), Item: campaignItem(after), ConditionExpression: "revision = :rev", ExpressionAttributeValues: { ":rev": before.revision } } },
      join ? { Put: { TableName: tableName(), Item: { ...link, campaignId, partnerId: partner.partnerId, joinedAt: after.updatedAt } } } : { Delete: { TableName: tableName(), Key: link } },
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new ConflictError(`campaign ${campaignId} changed at the same time; try again`);
    throw error;
  }
  return effectiveCampaign(after);
}

export const invitePartnerToCampaign = (tenantId: string, campaignId: string, partnerId: string) => changePartners(tenantId, campaignId, partnerId, true);
export const removePartnerFromCampaign = (tenantId: string, campaignId: string, partnerId: string) => changePartners(tenantId, campaignId, partnerId, false);

/** The partner's joint campaigns (newest joined first), the schedule applied. */
export async function listJointCampaigns(tenantId: string, partnerId: string): Promise<Campaign[]> {
  const links = await queryAll<{ campaignId: string; joinedAt: string }>({ pk: partnerKeys.partition(tenantId, partnerId), skPrefix: JOINT_PREFIX });
  links.sort((a, b) => (a.joinedAt < b.joinedAt ? 1 : -1));
  const campaigns = await getCampaigns(tenantId, links.map((l) => l.campaignId));
  return campaigns.filter((c): c is Campaign => Boolean(c && c.partnerIds.includes(partnerId)));
}

/**
 * A campaign as a partner may reach it: only one it is a partner of. Anything else (another
 * campaign, a guessed id, another brand's) is NOT_FOUND, the same answer as for an id that does
 * not exist, so a partner cannot probe which campaigns exist.
 */
export async function getJointCampaign(tenantId: string, partnerId: string, campaignId: string): Promise<Campaign> {
  const [campaign] = await getCampaigns(tenantId, [campaignId]);
  if (!campaign || !campaign.partnerIds.includes(partnerId)) throw new NotFoundError("Campaign", campaignId);
  return campaign;
}

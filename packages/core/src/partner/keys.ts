/**
 * Keys of partner items (docs/campaigns.md "Partners").
 *
 * | Item | pk | sk | gsi1 |
 * |---|---|---|---|
 * | Partner brand | `T#t#PARTNER#<partner>` | `PARTNER` | `T#t#PARTNERS` / `<createdAt>#<partner>` |
 * | API key (hash only) | `T#t#PARTNERKEY#<keyId>` | `KEY` | `T#t#PARTNER#<partner>` / `KEY#<createdAt>#<keyId>` |
 * | Joint campaign link | `T#t#PARTNER#<partner>` | `CAMPAIGN#<campaign>` | |
 */
import { assertTenantId, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertPartnerId(partnerId: string, field = "id"): string {
  if (!CLIENT_ID_PATTERN.test(partnerId)) throw new ValidationError(`${field} is not a partner id`, field);
  return partnerId;
}

export const PARTNER_SK = "PARTNER";
export const JOINT_PREFIX = "CAMPAIGN#";
export const KEY_PREFIX = "KEY#";

export const partnerKeys = {
  partition: (tenantId: string, partnerId: string) => `${t(tenantId)}#PARTNER#${assertPartnerId(partnerId)}`,
  item: (tenantId: string, partnerId: string): Keys => ({ pk: partnerKeys.partition(tenantId, partnerId), sk: PARTNER_SK }),
  list: (tenantId: string) => `${t(tenantId)}#PARTNERS`,
  apiKey: (tenantId: string, keyId: string): Keys => ({ pk: `${t(tenantId)}#PARTNERKEY#${keyId}`, sk: "KEY" }),
  joint: (tenantId: string, partnerId: string, campaignId: string): Keys => ({ pk: partnerKeys.partition(tenantId, partnerId), sk: `${JOINT_PREFIX}${campaignId}` }),
};

/**
 * Keys of coupon items (docs/campaigns.md#coupons has the table). Definition ids are client-style
 * ids (no `#`); codes come from a fixed alphabet (code.ts).
 *
 * | Item | pk | sk | gsi1 | gsi2 |
 * |---|---|---|---|---|
 * | Definition (with its counters) | `T#t#COUPONDEF#<def>` | `COUPONDEF` | `T#t#CAMPAIGN#<campaign>#COUPONDEFS` / `<createdAt>#<def>` | |
 * | Coupon | `T#t#COUPON#<code>` | `COUPON` | `T#t#M#<member>` / `COUPON#<issuedAt>#<code>` | `T#t#COUPONDEF#<def>` / `<issuedAt>#<code>` |
 * | Member's claims of a definition | `T#t#M#<member>` | `COUPONCLAIM#<def>` | | |
 * | Claim request (idempotency, TTL) | `T#t#REQ#coupon-claim#<request>` | `REQ` | | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

export const DEFINITION_SK = "COUPONDEF";
export const COUPON_SK = "COUPON";
export const MEMBER_COUPON_PREFIX = "COUPON#";
export const CLAIM_PREFIX = "COUPONCLAIM#";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertDefinitionId(definitionId: string, field = "id"): string {
  if (!CLIENT_ID_PATTERN.test(definitionId)) throw new ValidationError(`${field} is not a coupon definition id`, field);
  return definitionId;
}

export const couponKeys = {
  definition: (tenantId: string, definitionId: string): Keys => ({ pk: `${t(tenantId)}#COUPONDEF#${assertDefinitionId(definitionId)}`, sk: DEFINITION_SK }),
  /** gsi1: a campaign's definitions, oldest first. */
  definitionsOf: (tenantId: string, campaignId: string) => `${t(tenantId)}#CAMPAIGN#${campaignId}#COUPONDEFS`,
  definitionSort: (createdAt: string, definitionId: string) => `${createdAt}#${definitionId}`,
  coupon: (tenantId: string, code: string): Keys => ({ pk: `${t(tenantId)}#COUPON#${code}`, sk: COUPON_SK }),
  memberPartitionOf: (tenantId: string, memberId: string) => keys.memberPartition(tenantId, memberId),
  /** gsi1 sort key under the member's partition: a member's coupons, newest first. */
  memberCouponSort: (issuedAt: string, code: string) => `${MEMBER_COUPON_PREFIX}${issuedAt}#${code}`,
  /** gsi2: a definition's coupons (audits: the counter equals these items). */
  couponsOf: (tenantId: string, definitionId: string) => `${t(tenantId)}#COUPONDEF#${definitionId}`,
  couponSort: (issuedAt: string, code: string) => `${issuedAt}#${code}`,
  claims: (tenantId: string, memberId: string, definitionId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `${CLAIM_PREFIX}${definitionId}` }),
  claimRequest: (tenantId: string, requestId: string): Keys => keys.requestKey(tenantId, "coupon-claim", requestId),
};

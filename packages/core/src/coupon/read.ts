import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { queryAll, queryPage } from "../db/query.js";
import type { Page, PageArgs } from "../shared/page.js";
import { normaliseCode } from "./code.js";
import { listCouponDefinitions } from "./definition.js";
import { fromCouponItem } from "./item.js";
import { couponKeys, MEMBER_COUPON_PREFIX } from "./keys.js";
import type { Coupon, CouponDefinition } from "./types.js";

/** A coupon by its code (as typed: any case, dashes and spaces ignored): one GetItem. */
export async function findCoupon(tenantId: string, codeInput: string, consistent = false): Promise<Coupon | undefined> {
  const code = normaliseCode(codeInput);
  if (!code) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: couponKeys.coupon(tenantId, code), ConsistentRead: consistent }));
  return out.Item ? fromCouponItem(out.Item) : undefined;
}

/** Many coupons by code (BatchGetItem), aligned with `codes`. */
export async function getCoupons(tenantId: string, codes: readonly string[]): Promise<(Coupon | undefined)[]> {
  const valid = codes.map((c) => normaliseCode(c)).filter((c): c is string => c !== undefined);
  const items = await batchGet<Record<string, unknown>>(valid.map((c) => couponKeys.coupon(tenantId, c)));
  const byCode = new Map(items.map((i) => [i.code as string, fromCouponItem(i)]));
  return codes.map((c) => byCode.get(normaliseCode(c) ?? ""));
}

/** A member's coupons, newest issued first (one Query of the member's gsi1 partition). */
export async function listMemberCoupons(tenantId: string, memberId: string, args: PageArgs): Promise<Page<Coupon>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `coupons:${memberId}`, { index: "gsi1", pk: couponKeys.memberPartitionOf(tenantId, memberId), skPrefix: MEMBER_COUPON_PREFIX }, args);
  return { ...page, items: page.items.map(fromCouponItem) };
}

/** Every coupon of a definition (audits, tests: the `issued` counter equals their number). Bounded by its total quantity. */
export async function listDefinitionCoupons(tenantId: string, definitionId: string): Promise<Coupon[]> {
  const items = await queryAll<Record<string, unknown>>({ index: "gsi2", pk: couponKeys.couponsOf(tenantId, definitionId) });
  return items.map(fromCouponItem);
}

export interface CouponStats {
  definitions: number;
  totalQuantity: number;
  issued: number;
  redeemed: number;
  /** Discount given by redemptions, minor units (see `discountFor`). */
  discountMinor: number;
}

/** A campaign's coupon counters: the sum of its definitions' counters (one Query, at most 50 items). */
export async function couponStats(tenantId: string, campaignId: string): Promise<CouponStats> {
  return sumCouponStats(await listCouponDefinitions(tenantId, campaignId));
}

/** The counters of a campaign's definitions, summed (for callers that have read them already). */
export function sumCouponStats(defs: readonly CouponDefinition[]): CouponStats {
  return defs.reduce<CouponStats>(
    (s, d) => ({ definitions: s.definitions + 1, totalQuantity: s.totalQuantity + d.totalQuantity, issued: s.issued + d.issued, redeemed: s.redeemed + d.redeemed, discountMinor: s.discountMinor + d.discountMinor }),
    { definitions: 0, totalQuantity: 0, issued: 0, redeemed: 0, discountMinor: 0 },
  );
}

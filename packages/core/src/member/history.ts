import { keys, SK, stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import type { Page, PageArgs } from "../shared/page.js";
import type { TierChange } from "./tier.js";
import type { ConsentChange } from "./types.js";

/** A member's consent history, newest first. */
export async function listConsentHistory(tenantId: string, memberId: string, args: PageArgs): Promise<Page<ConsentChange>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `consent:${memberId}`, { pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.consent }, args);
  return { ...page, items: page.items.map((i) => stripKeys(i) as unknown as ConsentChange) };
}

/** A member's tier changes, newest first. */
export async function listTierHistory(tenantId: string, memberId: string, args: PageArgs): Promise<Page<TierChange>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `tiers:${memberId}`, { pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.tierChange }, args);
  return { ...page, items: page.items.map((i) => stripKeys(i) as unknown as TierChange) };
}

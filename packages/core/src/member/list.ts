import { keys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { queryShardedPage } from "../db/sharded.js";
import { ValidationError } from "../shared/errors.js";
import type { Page, PageArgs } from "../shared/page.js";
import { toUtcInstant } from "../shared/text.js";
import { getSettings } from "../tenant/settings.js";
import { fromMemberItems } from "./item.js";
import { getMembers } from "./read.js";
import type { Channel, Member, Tier } from "./types.js";
import * as v from "./validate.js";

export interface MemberFilter {
  tier?: Tier | null;
  tag?: string | null;
  channel?: Channel | null;
  /** Joined at or after this instant. */
  joinedFrom?: string | null;
  /** Joined before this instant. */
  joinedTo?: string | null;
}

/**
 * Members newest-joined first, optionally of one tier, tag or channel and within a join-time
 * range. Each list is sharded (see ARCHITECTURE.md); one filter dimension at a time plus the
 * range, because combinations are what segments are for.
 */
export async function listMembers(tenantId: string, filter: MemberFilter, args: PageArgs): Promise<Page<Member>> {
  const dims = [filter.tier, filter.tag, filter.channel].filter((d) => d !== null && d !== undefined);
  if (dims.length > 1) throw new ValidationError("filter by one of tier, tag or channel at a time; use a segment to combine them", "filter");
  const from = filter.joinedFrom ? toUtcInstant(filter.joinedFrom, "joinedFrom") : undefined;
  const to = filter.joinedTo ? toUtcInstant(filter.joinedTo, "joinedTo") : undefined;
  if (from && to && from >= to) throw new ValidationError("joinedFrom must be before joinedTo", "joinedFrom");
  const { memberListShards } = await getSettings(tenantId);
  const shards = Array.from({ length: memberListShards }, (_, i) => String(i));
  const range = { skFrom: from, skTo: to };
  const scope = `members:${filter.tier ?? ""}:${filter.tag ?? ""}:${filter.channel ?? ""}:${from ?? ""}:${to ?? ""}`;

  if (filter.tag || filter.channel) {
    const tag = filter.tag ? v.tag(filter.tag) : undefined;
    const channel = filter.channel ? v.channel(filter.channel) : undefined;
    const partitions = shards.map((s) => (tag ? keys.membersByTag(tenantId, tag, s) : keys.membersByChannel(tenantId, channel!, s)));
    const page = await queryShardedPage<{ memberId: string }>(tenantId, scope, { index: "gsi2", partitions, ...range }, args);
    return withMembers(tenantId, page);
  }
  const partitions = filter.tier
    ? shards.map((s) => keys.membersByTier(tenantId, v.tier(filter.tier!), s))
    : shards.map((s) => keys.membersByJoined(tenantId, s));
  const page = await queryShardedPage<Record<string, unknown>>(tenantId, scope, { index: filter.tier ? "gsi2" : "gsi1", partitions, ...range }, args);
  return { ...page, items: await fromMemberItems(tenantId, page.items) };
}

/** Index items (tags, identities) to members: one BatchGetItem for the page. */
async function withMembers(tenantId: string, page: Page<{ memberId: string }>): Promise<Page<Member>> {
  const members = await getMembers(tenantId, page.items.map((i) => i.memberId));
  const items: Member[] = [];
  const cursors: string[] = [];
  const seen = new Set<string>();
  members.forEach((m, i) => {
    if (!m || seen.has(m.memberId)) return; // a member with two ids on one channel appears once
    seen.add(m.memberId);
    items.push(m);
    cursors.push(page.cursors[i]!);
  });
  return { ...page, items, cursors };
}

/** Members this member referred, newest joined first. */
export async function listReferrals(tenantId: string, referrerId: string, args: PageArgs): Promise<Page<Member>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `referrals:${referrerId}`, { index: "gsi3", pk: keys.referralsOf(tenantId, referrerId) }, args);
  return { ...page, items: await fromMemberItems(tenantId, page.items) };
}

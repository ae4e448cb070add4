import { baselineTierPage, type BaselineContext } from "@growth/core/bench";
import { listIdentities, listMembers, TIERS, type Member } from "@growth/core/member";
import { movePoints } from "@growth/core/points";
import { getSettings } from "@growth/core/tenant";
import { executeOperation } from "../graphql/server.js";
import type { ApiFixture } from "./api-mix.js";

/**
 * After the generated brand is loaded: the screens' own objects (three saved segments, a
 * coupon campaign, through the API as a console would create them) and the ids the mix reads
 * and writes, picked from the member lists.
 */
export async function prepareFixture(tenantId: string, runId: string, log: (line: string) => void = () => {}): Promise<{ fixture: ApiFixture; baseline: BaselineContext }> {
  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await executeOperation(query, variables, { tenant: tenantId, role: "ADMIN", sub: "bench" });
    if (r.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(r.errors)}`);
    return r.data!;
  };
  for (const [name, tier] of [["Core members", "CORE"], ["Loyal members", "LOYAL"], ["Silent members", "SILENT"]] as const) {
    await run(`mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }`, { input: { name, rule: { condition: { field: "TIER", op: "EQ", value: tier } } } });
  }
  const campaignId = `bench-${runId}`;
  await run(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }`, { input: { id: campaignId, name: "Bench autumn coupon", type: "COUPON", channels: ["MINI_PROGRAM"] } });

  const members: Member[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page++) {
    const p = await listMembers(tenantId, {}, { first: 100, after });
    members.push(...p.items);
    if (!p.hasNextPage || !p.endCursor) break;
    after = p.endCursor;
  }
  const live = members.filter((m) => m.status === "ACTIVE");
  const profiles = live.filter((m) => m.orderCount > 0).slice(0, 200).map((m) => m.memberId);
  const buyers = live.filter((m) => m.orderCount > 0 && !m.lastTouch).slice(0, 200).map((m) => m.memberId);
  const redeemers = [...live].sort((a, b) => b.pointsBalance - a.pointsBalance).slice(0, 100).filter((m) => m.pointsBalance >= 100).map((m) => m.memberId);
  // Enough points for any run (a 10-minute soak redeems tens of thousands of times): a redemption
  // refused for a low balance would be the fixture's error, not the API's.
  for (const memberId of redeemers) await movePoints(tenantId, "ADJUST_UP", { memberId, points: 10_000_000, reason: "bench fixture", requestId: `bench-topup-${memberId}` }, "bench");
  const identities: ApiFixture["identities"] = [];
  for (const m of live.slice(0, 200)) {
    const [first] = await listIdentities(tenantId, m.memberId);
    if (first) identities.push({ channel: first.channel, externalId: first.externalId });
    if (identities.length >= 100) break;
  }
  const settings = await getSettings(tenantId);
  const baseline: BaselineContext = { tenantId, settings: { timeZone: settings.timeZone, currency: settings.currency, pointsPerUnit: settings.pointsPerUnit, memberListShards: settings.memberListShards } };
  // The tier whose first page costs the most: one with referrers off the page (the BatchGetItem level).
  let tier: string = "ACTIVE";
  let best = -1;
  for (const t of TIERS) {
    const page = await baselineTierPage(baseline, t);
    const score = page.members.length === 50 ? page.referrers.length : -1;
    if (score > best) [tier, best] = [t, score];
  }
  for (const [what, list] of Object.entries({ profiles, buyers, redeemers, identities })) {
    if (list.length === 0) throw new Error(`the generated brand has no members for ${what}: load more members`);
  }
  log(`fixture: ${profiles.length} profiles, ${identities.length} identities, ${buyers.length} buyers, ${redeemers.length} redeemers; tier ${tier} (${best} referrers off its first page); campaign ${campaignId}`);
  return { fixture: { tenantId, profiles, identities, tier, buyers, redeemers, campaignId, runId }, baseline };
}

import { findCampaign } from "../campaign/store.js";
import { DEMO_REFERRAL_CAMPAIGN_ID } from "./campaigns.js";
import { createMember, findMember } from "../member/index.js";
import { recordOrder } from "../order/index.js";
import { findReferral, inviteCode, recordReferral } from "../referral/index.js";

/**
 * A chain of referrals in the demo's running fission campaign, made through the real paths
 * (invite codes, `recordReferral`, first orders that grant the rewards), so the campaign shows
 * a K-factor, conversions and the reward ladder out of the box:
 *
 *   陈雨 (root) ─┬─ 王可 ─┬─ 赵晴 ── 孙悦
 *               │        └─ 钱朵
 *               ├─ 李安
 *               └─ 周宁
 *
 * 6 referred by 3 referrers (K = 2.0); 王可, 李安, 周宁 and 赵晴 order, so 4 convert: the root earns
 * 3 × 200 + 300 (the ladder at 3) = 900 points, 王可 200, and each converted invitee 100.
 * Idempotent: a rerun finds the members and the referrals and writes nothing more.
 */

interface ChainMember {
  memberId: string;
  name: string;
  referrer?: string;
  /** The first order's amount in yuan, if the member orders. */
  orders?: number;
}

export const DEMO_REFERRAL_CHAIN: readonly ChainMember[] = [
  { memberId: "m-fission-root", name: "陈雨" },
  { memberId: "m-fission-a", name: "王可", referrer: "m-fission-root", orders: 68 },
  { memberId: "m-fission-b", name: "李安", referrer: "m-fission-root", orders: 45 },
  { memberId: "m-fission-c", name: "周宁", referrer: "m-fission-root", orders: 39.5 },
  { memberId: "m-fission-d", name: "赵晴", referrer: "m-fission-a", orders: 52 },
  { memberId: "m-fission-e", name: "钱朵", referrer: "m-fission-a" },
  { memberId: "m-fission-f", name: "孙悦", referrer: "m-fission-d" },
];

const by = { actor: "demo-loader", source: "MINI_PROGRAM" };

/** Writes what is missing of the chain; returns how many referrals were recorded now (undefined without the campaign). */
export async function loadDemoReferrals(tenantId: string, now = new Date()): Promise<number | undefined> {
  if (!(await findCampaign(tenantId, DEMO_REFERRAL_CAMPAIGN_ID))) return undefined;
  let recorded = 0;
  for (const m of DEMO_REFERRAL_CHAIN) {
    if (!(await findMember(tenantId, m.memberId))) {
      await createMember(tenantId, { memberId: m.memberId, name: m.name, sourceChannel: "MINI_PROGRAM", marketingConsent: true, partnerSharingConsent: false }, by);
    }
    if (m.referrer) {
      // The invitee joined with the referrer's code (the code is made on the referrer's first share).
      const { invite } = await inviteCode(tenantId, DEMO_REFERRAL_CAMPAIGN_ID, m.referrer);
      const { duplicate } = await recordReferral(tenantId, { code: invite.code, inviteeId: m.memberId }, now);
      if (!duplicate) recorded++;
    }
  }
  // First orders after every referral is in, so each grants its rewards (a repeated id is the same order).
  for (const m of DEMO_REFERRAL_CHAIN) {
    if (m.orders === undefined) continue;
    // At the referral's instant, so a rerun sends the very same order.
    const referral = await findReferral(tenantId, m.memberId, true);
    const occurredAt = referral?.referredAt ?? now.toISOString();
    await recordOrder(tenantId, { orderId: `${m.memberId}-first`, memberId: m.memberId, channel: "MINI_PROGRAM", amount: m.orders, occurredAt }, by);
  }
  return recorded;
}

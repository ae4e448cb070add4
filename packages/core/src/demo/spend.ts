import type { Channel } from "../member/types.js";
import { listMarketingSpend, recordMarketingSpend, type MarketingSpendInput } from "../spend/record.js";
import { CAMPAIGNS, DEMO_ANCHOR, DEMO_START, SHANGHAI_OFFSET_MS } from "./catalog.js";
import { demoIdPrefix, type DemoPlan } from "./generate.js";
import { Random } from "./random.js";

/**
 * The demo brand's marketing spend (the C of CAC and ROI), derived from the plan so the numbers
 * look like a brand's: each week, acquisition spend per source channel of about the channel's
 * typical cost per member times the members who joined through it that week (referred members cost
 * nothing); each campaign, message and ad spend on WeCom, the official account and SMS of
 * 15-40% of the revenue its orders brought. Deterministic for a seed and size.
 */

/** Typical cost per acquired member, yuan (ads for live streams dearest, store sign-ups cheapest). */
const CHANNEL_CAC: Partial<Record<Channel, number>> = { MINI_PROGRAM: 18, STORE: 6, WECHAT_OA: 25, WECOM: 30, APP: 40, COMMUNITY_GROUP: 12, LIVE: 60 };
const CAMPAIGN_CHANNELS: readonly Channel[] = ["WECOM", "WECHAT_OA", "SMS"];

const localDate = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
/** The Monday of a local date's ISO week (1970-01-05 was a Monday). */
const mondayOf = (date: string) => {
  const day = Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  return new Date((day - ((day - 4) % 7)) * 86_400_000).toISOString().slice(0, 10);
};
const yuan = (v: number) => Math.max(0.01, Math.round(v * 100) / 100);

export function demoSpend(plan: DemoPlan): MarketingSpendInput[] {
  const prefix = demoIdPrefix(plan.seed, plan.memberCount);
  const r = Random.derive(plan.seed, "spend", plan.memberCount);
  // Acquisition spend is booked weekly (on the Monday), so every 7- or 30-day window holds some.
  const joined = new Map<string, number>(); // `<Monday>|<channel>` → members
  for (const m of plan.members) {
    if (m.referrerId) continue;
    const key = `${mondayOf(localDate(Date.parse(m.joinedAt)))}|${m.sourceChannel}`;
    joined.set(key, (joined.get(key) ?? 0) + 1);
  }
  const out: MarketingSpendInput[] = [];
  for (const key of [...joined.keys()].sort()) {
    const [week, channel] = key.split("|") as [string, Channel];
    const cac = CHANNEL_CAC[channel];
    if (!cac) continue;
    out.push({ spendId: `${prefix}-sp-${week}-${channel}`, channel, date: week, amount: yuan(joined.get(key)! * cac * (0.8 + 0.4 * r.next())), note: "渠道拉新投放" });
  }
  const revenue = new Map<string, number>();
  for (const m of plan.members) for (const o of m.orders) if (o.campaignId) revenue.set(o.campaignId, (revenue.get(o.campaignId) ?? 0) + o.amount);
  for (const c of CAMPAIGNS) {
    const total = (revenue.get(c.id) ?? 0) * (0.15 + 0.25 * r.next());
    if (total <= 0) continue;
    const shares = CAMPAIGN_CHANNELS.map(() => 0.5 + r.next());
    const sum = shares.reduce((a, b) => a + b, 0);
    CAMPAIGN_CHANNELS.forEach((channel, i) => {
      out.push({ spendId: `${prefix}-sp-${c.id}-${channel}`, channel, campaignId: c.id, date: c.from, amount: yuan((total * shares[i]!) / sum), note: "活动触达与广告" });
    });
  }
  return out;
}

/** Writes the demo's spend entries (idempotent by id: a resumed load writes only what is missing). Returns the entries written. */
export async function writeDemoSpend(tenantId: string, plan: DemoPlan, concurrency = 8): Promise<number> {
  const todo = demoSpend(plan);
  let written = 0;
  const lane = async () => {
    for (let next = todo.shift(); next; next = todo.shift()) if (!(await recordMarketingSpend(tenantId, next)).duplicate) written++;
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return written;
}

/** The demo's spend for a tenant that has none in the demo's period: a demo loaded before spend existed gets it at the next start. */
export async function ensureDemoSpend(tenantId: string, plan: DemoPlan): Promise<number> {
  const range = { from: localDate(Date.parse(DEMO_START)), to: localDate(Date.parse(DEMO_ANCHOR) - 1) };
  if ((await listMarketingSpend(tenantId, range)).length > 0) return 0;
  return writeDemoSpend(tenantId, plan);
}

import { createSegment, listSegments } from "../segment/store.js";
import type { Segment } from "../segment/types.js";

/**
 * The demo brand's saved segments: the audiences an operator of a tea-and-coffee chain builds
 * first. The demo's history ends at a fixed date (DEMO_ANCHOR), so windows are long and dates
 * absolute, and the segments stay meaningful whenever the demo is started.
 */
export const DEMO_SEGMENTS: { key: string; name: string; description: string; rule: unknown; applyTag?: string }[] = [
  {
    key: "repeat",
    name: "复购会员（近一年≥2单）",
    description: "Repeat buyers: two or more orders in the last 365 days.",
    rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 2, window: { inLastDays: 365 } } },
  },
  {
    key: "winback",
    name: "沉睡高价值会员",
    description: "Spent 300 yuan or more but no order for 90 days: the win-back audience.",
    rule: { all: [{ condition: { field: "NET_SPEND", op: "GTE", value: 300 } }, { condition: { field: "DAYS_SINCE_LAST_ORDER", op: "GT", value: 90 } }] },
    applyTag: "待唤醒",
  },
  {
    key: "autumn",
    name: "2026秋季新会员",
    description: "Joined since 1 September 2026 (Shanghai).",
    rule: { condition: { field: "JOINED_AT", op: "GTE", value: "2026-09-01T00:00:00+08:00" } },
  },
  {
    key: "reachable",
    name: "可营销微信会员",
    description: "Marketing consent and a WeChat official account or mini program identity.",
    rule: { all: [{ condition: { field: "MARKETING_CONSENT", op: "EQ", value: true } }, { condition: { field: "HAS_IDENTITY_ON", op: "ANY_OF", values: ["WECHAT_OA", "MINI_PROGRAM"] } }] },
  },
  {
    key: "readers",
    name: "内容活跃会员",
    description: "Viewed content at least twice in the last 365 days.",
    rule: { condition: { field: "EVENT_COUNT", op: "GTE", value: 2, window: { inLastDays: 365 }, event: { type: "VIEW" } } },
  },
  {
    key: "valuable",
    name: "高预测价值会员",
    description: "Predicted CLV of 200 yuan or more over 12 months and still likely active (from the predictive-clv job).",
    rule: { all: [{ condition: { field: "PREDICTED_CLV", op: "GTE", value: 200 } }, { condition: { field: "P_ALIVE", op: "GTE", value: 0.6 } }] },
  },
];

/** Creates the demo segments that are missing (by name); returns them by key. */
export async function ensureDemoSegments(tenantId: string): Promise<Map<string, Segment>> {
  const existing = new Map<string, Segment>();
  let after: string | null = null;
  do {
    const page = await listSegments(tenantId, "ACTIVE", { first: 100, after });
    for (const s of page.items) existing.set(s.name, s);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  const byKey = new Map<string, Segment>();
  for (const spec of DEMO_SEGMENTS) {
    const segment = existing.get(spec.name) ?? (await createSegment(tenantId, { name: spec.name, description: spec.description, rule: spec.rule, applyTag: spec.applyTag }, { actor: "demo-loader" }));
    byKey.set(spec.key, segment);
  }
  return byKey;
}

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { memberBaseKeys } from "../metrics/member-base/keys.js";
import { putNonMemberSales, type NonMemberSales } from "../metrics/member-base/sales.js";
import { toMinor } from "../shared/money.js";
import { DEMO_ANCHOR, DEMO_START, SHANGHAI_OFFSET_MS } from "./catalog.js";
import type { DemoPlan } from "./generate.js";
import { Random } from "./random.js";

/**
 * The demo brand's non-member sales (walk-in tills and guest web checkouts), so the member-base
 * snapshot's private-domain share of sales shows numbers: for every local day of the demo's
 * period, STORE sales of about 1.2-2 times the members' store orders that day plus 300-900 yuan
 * of walk-ins, and WEB sales of about 0.3-0.6 times the members' web orders plus 100-300 yuan.
 * Deterministic for a seed and size; reported dated, like a brand's daily upload.
 */
const DAY_MS = 86_400_000;
const localDate = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const yuan = (v: number) => Math.round(v * 100) / 100;

export function demoNonMemberSales(tenantId: string, plan: DemoPlan): NonMemberSales[] {
  const members = new Map<string, { STORE: number; WEB: number }>();
  for (const m of plan.members) {
    for (const o of m.orders) {
      if (o.channel !== "STORE" && o.channel !== "WEB") continue;
      const day = localDate(Date.parse(o.occurredAt));
      const sums = members.get(day) ?? { STORE: 0, WEB: 0 };
      sums[o.channel] += o.amount;
      members.set(day, sums);
    }
  }
  const r = Random.derive(plan.seed, "nonmember-sales", plan.memberCount);
  const out: NonMemberSales[] = [];
  const reportedAt = DEMO_ANCHOR;
  for (let ms = Date.parse(DEMO_START); ms < Date.parse(DEMO_ANCHOR); ms += DAY_MS) {
    const date = localDate(ms);
    const sums = members.get(date) ?? { STORE: 0, WEB: 0 };
    const store = yuan(sums.STORE * (1.2 + 0.8 * r.next()) + 300 + 600 * r.next());
    const web = yuan(sums.WEB * (0.3 + 0.3 * r.next()) + 100 + 200 * r.next());
    out.push({ tenantId, date, channel: "STORE", amountMinor: toMinor(store), note: "门店散客", reportedAt });
    out.push({ tenantId, date, channel: "WEB", amountMinor: toMinor(web), note: "官网游客下单", reportedAt });
  }
  return out;
}

/**
 * Writes the demo's non-member sales unless its last day's STORE figure is there already (one
 * GetItem); the entries replace by (date, channel), so a rerun writes the same figures. Returns
 * the entries written.
 */
export async function ensureDemoNonMemberSales(tenantId: string, plan: DemoPlan): Promise<number> {
  const last = localDate(Date.parse(DEMO_ANCHOR) - 1);
  const existing = await documentClient().send(new GetCommand({ TableName: tableName(), Key: memberBaseKeys.nonMemberSales(tenantId, last, "STORE"), ProjectionExpression: "pk" }));
  if (existing.Item) return 0;
  const entries = demoNonMemberSales(tenantId, plan);
  await putNonMemberSales(entries);
  return entries.length;
}

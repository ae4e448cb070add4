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
 * period, STORE sales of 0.6-1.2 times the members' orders that day (all channels) plus a
 * walk-in base of 0.1-0.3 yuan per planned member, and WEB sales of 0.15-0.35 times the members'
 * orders plus 0.05-0.1 yuan per member: a private-domain share of roughly a third (34-36% a
 * month with 150 members). Deterministic for a seed and size; reported dated, like a brand's
 * daily upload.
 */
const DAY_MS = 86_400_000;
const localDate = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const yuan = (v: number) => Math.round(v * 100) / 100;

export function demoNonMemberSales(tenantId: string, plan: DemoPlan): NonMemberSales[] {
  const members = new Map<string, number>();
  for (const m of plan.members) {
    for (const o of m.orders) {
      const day = localDate(Date.parse(o.occurredAt));
      members.set(day, (members.get(day) ?? 0) + o.amount);
    }
  }
  const size = plan.memberCount;
  const r = Random.derive(plan.seed, "nonmember-sales", plan.memberCount);
  const out: NonMemberSales[] = [];
  const reportedAt = DEMO_ANCHOR;
  for (let ms = Date.parse(DEMO_START); ms < Date.parse(DEMO_ANCHOR); ms += DAY_MS) {
    const date = localDate(ms);
    const sales = members.get(date) ?? 0;
    const store = yuan(sales * (0.6 + 0.6 * r.next()) + size * (0.1 + 0.2 * r.next()));
    const web = yuan(sales * (0.15 + 0.2 * r.next()) + size * (0.05 + 0.05 * r.next()));
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

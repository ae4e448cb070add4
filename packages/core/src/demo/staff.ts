import { createHash } from "node:crypto";
import { ConflictError } from "../shared/errors.js";
import { assignMemberOwner, createStaff, findStaff, recordStaffTouch, type StaffRole } from "../staff/index.js";
import type { DemoMember, DemoPlan } from "./generate.js";

/**
 * The demo brand's staff (导购): two shopping assistants and a store manager in every store, and
 * one service agent. Members who joined on WeCom or in a store are owned by a shopping
 * assistant of their first in-store order's store (else of a store picked by their id), added
 * when they joined; an owned member with orders was messaged by that assistant two days before
 * their latest order, so that order (and any other in the 7 days after the touch) is attributed
 * to the assistant. Everything derives from the plan and the member id (no randomness), and is
 * idempotent, so a resumed load repeats nothing.
 */

const ASSISTANT_NAMES = ["李娜", "王芳", "张敏", "刘洋", "陈静", "杨帆", "赵丽", "黄磊", "周婷", "吴昊", "徐倩", "孙悦", "胡斌", "朱琳", "高翔", "林雪", "何佳", "郭峰", "马蕾", "罗丹", "梁爽", "宋涛"];
const DAY = 86_400_000;

export interface DemoStaffMember {
  staffId: string;
  name: string;
  storeId?: string;
  role: StaffRole;
  wecomUserId?: string;
}

const hash = (text: string) => createHash("sha256").update(text).digest().readUInt32BE(0);

export function demoStaff(plan: DemoPlan): DemoStaffMember[] {
  const out: DemoStaffMember[] = [];
  plan.stores.forEach((s, i) => {
    const code = s.storeId.replace(/^.*-st-/, "");
    for (const n of [1, 2]) {
      out.push({ staffId: `${s.storeId}-sa${n}`, name: ASSISTANT_NAMES[(i * 2 + n - 1) % ASSISTANT_NAMES.length]!, storeId: s.storeId, role: "SHOPPING_ASSISTANT", wecomUserId: `sa-${code}-${n}` });
    }
    out.push({ staffId: `${s.storeId}-mgr`, name: `${s.city}店长${i + 1}`, storeId: s.storeId, role: "STORE_MANAGER" });
  });
  out.push({ staffId: `d${plan.seed}-service-1`, name: "客服小周", role: "SERVICE_AGENT", wecomUserId: "service-1" });
  return out;
}

/** The shopping assistant who owns a member (WeCom and store sign-ups), if any. */
export function demoOwnerOf(m: DemoMember, plan: DemoPlan): string | undefined {
  if (m.sourceChannel !== "WECOM" && m.sourceChannel !== "STORE") return undefined;
  const storeId = m.orders.find((o) => o.storeId)?.storeId ?? plan.stores[hash(m.memberId) % plan.stores.length]!.storeId;
  return `${storeId}-sa${(hash(`${m.memberId}#sa`) % 2) + 1}`;
}

/** The owner's touch: two days before the member's latest order. */
export function demoTouchOf(m: DemoMember, plan: DemoPlan): { touchId: string; staffId: string; occurredAt: string } | undefined {
  const staffId = demoOwnerOf(m, plan);
  const last = m.orders[m.orders.length - 1];
  if (!staffId || !last) return undefined;
  return { touchId: `${m.memberId}-stt`, staffId, occurredAt: new Date(Date.parse(last.occurredAt) - 2 * DAY).toISOString() };
}

/** Creates the demo's staff (those missing). */
export async function ensureDemoStaff(tenantId: string, plan: DemoPlan): Promise<number> {
  let written = 0;
  for (const s of demoStaff(plan)) {
    if (await findStaff(tenantId, s.staffId, true)) continue;
    try {
      await createStaff(tenantId, s);
      written++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return written;
}

/** Before a member's orders are recorded: its owner (added when it joined) and the owner's touch. */
export async function loadDemoMemberStaff(tenantId: string, m: DemoMember, plan: DemoPlan): Promise<void> {
  const owner = demoOwnerOf(m, plan);
  if (!owner) return;
  await assignMemberOwner(tenantId, { memberId: m.memberId, staffId: owner, reason: "ADDED", at: m.joinedAt }, { actor: "demo-loader" });
  const touch = demoTouchOf(m, plan);
  if (touch) await recordStaffTouch(tenantId, { ...touch, memberId: m.memberId, kind: "MESSAGE", note: "新品推荐" }, { actor: "demo-loader" });
}

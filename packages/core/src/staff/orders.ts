import { counterUpdate } from "../db/counters.js";
import type { TransactItem } from "../db/transact.js";
import { localDate } from "../jobs/periods.js";
import type { Member } from "../member/types.js";
import type { Ownership } from "./types.js";
import { staffKeys } from "./keys.js";
import { crossingDelta, effectiveOwnerId, findOwnership } from "./ownership.js";
import { getStaffSettings } from "./settings.js";
import { getStaffMany } from "./staff.js";
import { lastStaffTouchOf } from "./touch.js";

const DAY = 86_400_000;

/** What an order records about staff: who owned the member (in effect) and who it is attributed to. */
export interface OrderStaff {
  /** The member's owner when the order was recorded (reassignments applied). */
  ownerStaffId?: string;
  /** The staff member whose touch the order is attributed to. */
  staffId?: string;
}

/**
 * Staff attribution of an order, as campaign last touch (`attributeOrder`): the member's latest
 * staff touch if it came at most `windowDays` before the order (and not after it).
 */
export function attributeStaff(order: { occurredAt: string }, member: Member, windowDays: number): string | undefined {
  const touch = lastStaffTouchOf(member);
  if (!touch) return undefined;
  const gap = Date.parse(order.occurredAt) - Date.parse(touch.at);
  return gap >= 0 && gap <= windowDays * DAY ? touch.staffId : undefined;
}

/**
 * Items a batch of one member's orders adds to its transaction (inside the member's
 * version-checked write, so the owner read here cannot move meanwhile: every ownership change
 * bumps the member's version):
 * - the OWNER item's order-count mirror and, for the stored owner, the buyer / repeat counters
 *   a member crosses into (first and second order);
 * - per (staff member, local day): the owner's orders and revenue and the attributed staff
 *   member's, one item when they are the same.
 * Exactly once: these ride in the transaction whose order Put is `attribute_not_exists`, so a
 * repeated order event writes nothing. `staffOf(orderId)` gives the fields each order records.
 */
export async function staffOrderWrites(
  tenantId: string,
  member: Member,
  orders: { orderId: string; amountMinor: number; occurredAt: string }[],
  zone: string,
  /** The OWNER item as read with the member (null: none); undefined reads it now. */
  known?: Ownership | null,
): Promise<{ items: TransactItem[]; staffOf: (orderId: string) => OrderStaff }> {
  const ownership = known === undefined ? await findOwnership(tenantId, member.memberId, true) : (known ?? undefined);
  const [stored] = ownership ? await getStaffMany(tenantId, [ownership.staffId]) : [undefined];
  const owner = effectiveOwnerId(ownership, stored);
  const { attributionWindowDays } = await getStaffSettings(tenantId);
  const per = new Map<string, OrderStaff>();
  const days = new Map<string, { staffId: string; date: string; add: Record<string, number> }>();
  const bump = (staffId: string, date: string, add: Record<string, number>) => {
    const key = `${staffId}\u0000${date}`;
    const d = days.get(key) ?? { staffId, date, add: {} };
    for (const [k, n] of Object.entries(add)) d.add[k] = (d.add[k] ?? 0) + n;
    days.set(key, d);
  };
  for (const o of orders) {
    const staffId = attributeStaff(o, member, attributionWindowDays);
    per.set(o.orderId, { ...(owner ? { ownerStaffId: owner } : {}), ...(staffId ? { staffId } : {}) });
    const date = localDate(o.occurredAt, zone);
    if (owner) bump(owner, date, { ownedOrders: 1, ownedRevenueMinor: o.amountMinor });
    if (staffId) bump(staffId, date, { attributedOrders: 1, attributedRevenueMinor: o.amountMinor });
  }
  const items: TransactItem[] = [];
  if (ownership) {
    const before = ownership.orderCount;
    const after = before + orders.length;
    items.push(counterUpdate(staffKeys.owner(tenantId, member.memberId), {}, { orderCount: orders.length }));
    const crossed = { buyerCount: before < 1 && after >= 1 ? 1 : 0, repeatCount: before < 2 && after >= 2 ? 1 : 0 };
    if (crossed.buyerCount || crossed.repeatCount) items.push(counterUpdate(staffKeys.staff(tenantId, ownership.staffId), {}, crossingDelta(member.memberId, crossed)));
  }
  for (const d of days.values()) items.push(counterUpdate(staffKeys.day(tenantId, d.staffId, d.date), { staffId: d.staffId }, d.add));
  return { items, staffOf: (orderId) => per.get(orderId) ?? {} };
}

/** A refund of an order lowers the net revenue of its owner and attributed staff member, on the refund's local day. */
export function refundStaffWrites(tenantId: string, order: OrderStaff, amountMinor: number, occurredAt: string, zone: string): TransactItem[] {
  const date = localDate(occurredAt, zone);
  const add = new Map<string, Record<string, number>>();
  if (order.ownerStaffId) add.set(order.ownerStaffId, { ownedRefundedMinor: amountMinor });
  if (order.staffId) add.set(order.staffId, { ...(add.get(order.staffId) ?? {}), attributedRefundedMinor: amountMinor });
  return [...add].map(([staffId, a]) => counterUpdate(staffKeys.day(tenantId, staffId, date), { staffId }, a));
}

/** Items `staffOrderWrites` may add per distinct local day of a batch (the order chunker reserves them). */
export const STAFF_ITEMS_PER_DAY = 2;
/** Items it adds regardless of days (OWNER mirror, stored owner's counters). */
export const STAFF_FIXED_ITEMS = 2;

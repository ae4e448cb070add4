import { queryAll } from "../db/query.js";
import { parseLocalDate } from "../jobs/periods.js";
import { ValidationError } from "../shared/errors.js";
import { staffKeys } from "./keys.js";
import { effectiveCounts } from "./ownership.js";
import { getStaff } from "./staff.js";
import type { Staff, StaffDay } from "./types.js";

/** Longest period one request may ask for (days). */
export const MAX_RESULT_DAYS = 366;

export interface StaffResults {
  staff: Staff;
  from: string;
  to: string;
  /** Members owned in effect now (reassignments applied). */
  membersOwned: number;
  /** Owned members (now) with at least one order, and with at least two. */
  buyers: number;
  repeatBuyers: number;
  /** repeatBuyers ÷ buyers; null without buyers. */
  repurchaseRate: number | null;
  /** Sums of the day counters over the period's local days. */
  totals: Omit<StaffDay, "date">;
  days: StaffDay[];
}

const ZERO: Omit<StaffDay, "date"> = {
  added: 0,
  touches: 0,
  ownedOrders: 0,
  ownedRevenueMinor: 0,
  ownedRefundedMinor: 0,
  attributedOrders: 0,
  attributedRevenueMinor: 0,
  attributedRefundedMinor: 0,
};
const FIELDS = Object.keys(ZERO) as (keyof typeof ZERO)[];

function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * A staff member's results for the local days `from`..`to` (inclusive, the tenant's zone): one
 * range Query of the day counters written as touches, assignments, orders and refunds arrived,
 * plus the staff member's (effective) ownership counters. Nothing is recounted from orders.
 */
export async function staffResults(tenantId: string, staffId: string, period: { from: string; to: string }): Promise<StaffResults> {
  parseLocalDate(period.from, "from");
  parseLocalDate(period.to, "to");
  if (period.from > period.to) throw new ValidationError("from must not be after to", "from");
  if (dayCount(period.from, period.to) > MAX_RESULT_DAYS) throw new ValidationError(`a period is at most ${MAX_RESULT_DAYS} days`, "to");
  const staff = await getStaff(tenantId, staffId);
  const counts = await effectiveCounts(tenantId, staff);
  const items = await queryAll<Record<string, unknown>>({ pk: staffKeys.partition(tenantId, staffId), skFrom: `DAY#${period.from}`, skTo: `DAY#${period.to}` });
  const days: StaffDay[] = items.map((item) => {
    const d = { date: (item.sk as string).slice(4), ...ZERO };
    for (const f of FIELDS) d[f] = (item[f] as number | undefined) ?? 0;
    return d;
  });
  const totals = { ...ZERO };
  for (const d of days) for (const f of FIELDS) totals[f] += d[f];
  return {
    staff,
    from: period.from,
    to: period.to,
    membersOwned: counts.ownedCount,
    buyers: counts.buyerCount,
    repeatBuyers: counts.repeatCount,
    repurchaseRate: counts.buyerCount > 0 ? counts.repeatCount / counts.buyerCount : null,
    totals,
    days,
  };
}

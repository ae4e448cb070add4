import { tableName } from "../db/client.js";
import { keys, SK } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import type { EngagementEvent } from "../event/types.js";
import { changeMember } from "../member/mutate.js";
import type { Order } from "../order/types.js";
import { getSettings } from "../tenant/settings.js";
import { activityItem, addEvent, addOrder, emptyActivity, localDayNumber, trimActivity, type Activity } from "./activity.js";

/**
 * Rebuilds a member's ACTIVITY item from its orders (net of their refunds) and events, for
 * members whose history predates the item or was written without it (the bulk importer's fast
 * path). Reads the member's orders and events (its gsi1 partition) and writes under the
 * member's version condition, so a write to the member meanwhile makes it start over. gsi1 is
 * eventually consistent: run it on settled history (a backfill), not right after a write.
 */
export async function rebuildActivity(tenantId: string, memberId: string, now = new Date()): Promise<Activity> {
  const { timeZone } = await getSettings(tenantId);
  return changeMember(
    tenantId,
    memberId,
    async (member) => {
      const partition = keys.memberPartition(member.tenantId, member.memberId);
      const [orders, events] = await Promise.all([
        queryAll<Order>({ index: "gsi1", pk: partition, skPrefix: SK.order }),
        queryAll<EngagementEvent>({ index: "gsi1", pk: partition, skPrefix: SK.event }),
      ]);
      const today = localDayNumber(now.getTime(), timeZone);
      const a = emptyActivity(timeZone);
      for (const o of orders) addOrder(a, { occurredAt: o.occurredAt, amountMinor: o.amountMinor - (o.refundedMinor ?? 0) });
      for (const e of events) addEvent(a, e, today);
      trimActivity(a, today);
      return {
        member: {},
        items: [{ Put: { TableName: tableName(), Item: activityItem(tenantId, member.memberId, a, now.toISOString()) } }],
        result: a,
      };
    },
    { allowInactive: true },
  );
}

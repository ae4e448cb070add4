import { describe, expect, it } from "vitest";
import { recordEvent } from "../event/index.js";
import { createMember, getMember, mergeMembers } from "../member/index.js";
import { recordOrder, recordRefund } from "../order/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { activityKey, localDayNumber, readActivity } from "./activity.js";
import { rebuildActivity } from "./rebuild.js";

const ZONE = "Asia/Shanghai";
const DAY = 86_400_000;
const NOW = Date.now();
const daysAgo = (n: number) => new Date(NOW - n * DAY).toISOString();
const dayKey = (instant: string) => String(localDayNumber(instant, ZONE));

describe("the ACTIVITY item", () => {
  it("is written with every order, refund and event, and a repeated id counts once", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    const [d3, d40] = [daysAgo(3), daysAgo(40)];
    await recordOrder(t, { orderId: "o1", memberId: m.memberId, channel: "APP", amount: 100, occurredAt: d3 }, actor);
    await recordOrder(t, { orderId: "o2", memberId: m.memberId, channel: "APP", amount: 50.5, occurredAt: d3 }, actor);
    await recordOrder(t, { orderId: "o2", memberId: m.memberId, channel: "APP", amount: 50.5, occurredAt: d3 }, actor); // repeat
    await recordOrder(t, { orderId: "o3", memberId: m.memberId, channel: "APP", amount: 20, occurredAt: d40 }, actor);
    await recordRefund(t, { refundId: "r1", orderId: "o1", amount: 30, occurredAt: daysAgo(1) }, actor);
    await recordRefund(t, { refundId: "r1", orderId: "o1", amount: 30, occurredAt: daysAgo(1) }, actor); // repeat
    const events = [
      { eventId: "e1", type: "VIEW", contentId: "c1" },
      { eventId: "e2", type: "VIEW", contentId: "c1", campaignId: "g1" },
      { eventId: "e3", type: "CLICK", campaignId: "g1" },
      { eventId: "e1", type: "VIEW", contentId: "c1" }, // repeat
    ];
    for (const e of events) await recordEvent(t, { ...e, memberId: m.memberId, channel: "APP", occurredAt: d3 });
    await recordEvent(t, { eventId: "e-old", memberId: m.memberId, type: "VIEW", contentId: "c1", channel: "APP", occurredAt: daysAgo(120) });

    const a = await readActivity(t, m.memberId);
    expect(a).toEqual({
      tz: ZONE,
      days: {
        [dayKey(d3)]: { o: 2, n: 10000 + 5050 - 3000, e: { VIEW: 2, CLICK: 1 }, k: { "c|c1|VIEW": 2, "g|g1|VIEW": 1, "g|g1|CLICK": 1 } },
        [dayKey(d40)]: { o: 1, n: 2000 },
        // Older than 90 days: counted by type, not per content item.
        [dayKey(daysAgo(120))]: { e: { VIEW: 1 } },
      },
    });
    expect(await getMember(t, m.memberId)).toMatchObject({ orderCount: 3, grossSpendMinor: 17050, refundedMinor: 3000, eventCount: 4 });
  });

  it("counts 12 concurrent events exactly (the member version serialises the read-modify-write)", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    const at = daysAgo(2);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? recordOrder(t, { orderId: `o${i}`, memberId: m.memberId, channel: "APP", amount: 10, occurredAt: at }, actor)
          : recordEvent(t, { eventId: `e${i}`, memberId: m.memberId, type: "SHARE", channel: "APP", occurredAt: at, contentId: "c9" }),
      ),
    );
    const a = await readActivity(t, m.memberId);
    expect(a!.days[dayKey(at)]).toEqual({ o: 4, n: 4000, e: { SHARE: 8 }, k: { "c|c9|SHARE": 8 } });
  });

  it("moves into the survivor on merge, adding the two members' buckets", async () => {
    const t = newTenantId();
    const s = await createMember(t, { sourceChannel: "APP" }, actor);
    const d = await createMember(t, { sourceChannel: "STORE" }, actor);
    const [d5, d9] = [daysAgo(5), daysAgo(9)];
    await recordOrder(t, { orderId: "s1", memberId: s.memberId, channel: "APP", amount: 10, occurredAt: d5 }, actor);
    await recordOrder(t, { orderId: "d1", memberId: d.memberId, channel: "APP", amount: 7, occurredAt: d5 }, actor);
    await recordOrder(t, { orderId: "d2", memberId: d.memberId, channel: "APP", amount: 3, occurredAt: d9 }, actor);
    await recordEvent(t, { eventId: "de", memberId: d.memberId, type: "VIEW", channel: "APP", occurredAt: d5, contentId: "c1" });
    await mergeMembers(t, s.memberId, d.memberId, actor);
    expect(await readActivity(t, d.memberId)).toBeUndefined();
    expect((await readActivity(t, s.memberId))!.days).toEqual({
      [dayKey(d5)]: { o: 2, n: 1700, e: { VIEW: 1 }, k: { "c|c1|VIEW": 1 } },
      [dayKey(d9)]: { o: 1, n: 300 },
    });
    // A refund of a moved order lands on the survivor's buckets.
    await recordRefund(t, { refundId: "r", orderId: "d2", amount: 1, occurredAt: daysAgo(1) }, actor);
    expect((await readActivity(t, s.memberId))!.days[dayKey(d9)]).toEqual({ o: 1, n: 200 });
  });

  it("can be rebuilt from a member's orders and events (backfill)", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    await recordOrder(t, { orderId: "o1", memberId: m.memberId, channel: "APP", amount: 100, occurredAt: daysAgo(3) }, actor);
    await recordOrder(t, { orderId: "o2", memberId: m.memberId, channel: "APP", amount: 5, occurredAt: daysAgo(300) }, actor);
    await recordRefund(t, { refundId: "r1", orderId: "o1", amount: 100, occurredAt: daysAgo(1) }, actor);
    await recordEvent(t, { eventId: "e1", memberId: m.memberId, type: "VIEW", channel: "APP", occurredAt: daysAgo(2), campaignId: "g" });
    await recordEvent(t, { eventId: "e2", memberId: m.memberId, type: "VIEW", channel: "APP", occurredAt: daysAgo(500) });
    const written = await readActivity(t, m.memberId);
    expect(Object.keys(written!.days)).toHaveLength(3); // 500 days ago is past the retention
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: activityKey(t, m.memberId) }));
    await rebuildActivity(t, m.memberId);
    expect(await readActivity(t, m.memberId)).toEqual(written);
  });
});

import { describe, expect, it } from "vitest";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { changeCampaignStatus, createCampaign, getStoredCampaign } from "../campaign/index.js";
import { campaignItem } from "../campaign/item.js";
import { documentClient, tableName } from "../db/client.js";
import { createMember, getMember } from "../member/index.js";
import { cleanOrder, getOrder, recordOrder, recordOrders, recordRefund } from "../order/index.js";
import { listLedger } from "../points/index.js";
import { createSegment, refreshSegment } from "../segment/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { forgetMultiplierCampaigns, multiplied } from "./index.js";

const member = async (t: string, tags: string[] = []) => (await createMember(t, { sourceChannel: "APP", tags }, actor)).memberId;
const order = (memberId: string, orderId: string, occurredAt = new Date().toISOString(), amount = 88) => ({ orderId, memberId, channel: "APP", amount, occurredAt });

async function multiplier(t: string, id: string, m: number, extra: Record<string, unknown> = {}) {
  await createCampaign(t, { id, name: `${m}x points`, type: "POINTS_MULTIPLIER", config: { pointsMultiplier: { multiplier: m } }, ...extra }, actor);
  return changeCampaignStatus(t, id, "RUNNING");
}

describe("points multiplier", () => {
  it("multiplies the points of an order inside a running campaign, once, and says so on the order and the ledger", async () => {
    const t = newTenantId();
    const c = await multiplier(t, "x2-autumn", 2, { endAt: new Date(Date.now() + 86_400_000).toISOString() });
    const m = await member(t);
    // 88.00 yuan × 1 point/yuan × 2 = 176 points, sent twice.
    const first = await recordOrder(t, order(m, "o-1"), actor);
    expect(first.order).toMatchObject({ pointsEarned: 176, pointsBoost: { campaignId: "x2-autumn", multiplier: 2, extraPoints: 88 } });
    expect((await recordOrder(t, order(m, "o-1", first.order.occurredAt), actor)).duplicate).toBe(true);
    // Before the campaign's start: not multiplied.
    const before = await recordOrder(t, order(m, "o-0", new Date(Date.parse(c.startAt!) - 60_000).toISOString()), actor);
    expect(before.order.pointsEarned).toBe(88);
    expect(before.order.pointsBoost).toBeUndefined();
    expect(await getMember(t, m)).toMatchObject({ pointsBalance: 264 });
    const entries = (await listLedger(t, m, {})).items;
    expect(entries.map((e) => [e.orderId, e.points, e.campaignId ?? null])).toEqual([["o-0", 88, null], ["o-1", 176, "x2-autumn"]]);
    expect(entries[1]!.reason).toBe("2× points (campaign x2-autumn): 88 + 88 extra");
    // A refund of half takes back half of what the order earned, the extra included.
    await recordRefund(t, { refundId: "r-1", orderId: "o-1", amount: 44, occurredAt: new Date().toISOString() }, actor);
    expect(await getMember(t, m)).toMatchObject({ pointsBalance: 176 });
    // Imported history is not multiplied.
    await recordOrders(t, m, [cleanOrder(order(m, "imp-1"))], { ...actor, source: "IMPORT" });
    expect((await getOrder(t, "imp-1")).pointsEarned).toBe(88);
  });

  it("multiplies only for members of the target segment; the highest of several multipliers applies", async () => {
    const t = newTenantId();
    const [vip, other] = [await member(t, ["vip"]), await member(t)];
    const seg = await createSegment(t, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, actor);
    await refreshSegment(t, seg.segmentId);
    await multiplier(t, "vip-x3", 3, { targetSegmentId: seg.segmentId });
    expect((await recordOrder(t, order(vip, "v-1"), actor)).order.pointsEarned).toBe(264);
    expect((await recordOrder(t, order(other, "n-1"), actor)).order.pointsEarned).toBe(88);

    const t2 = newTenantId();
    const [vip2, other2] = [await member(t2, ["vip"]), await member(t2)];
    const seg2 = await createSegment(t2, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, actor);
    await refreshSegment(t2, seg2.segmentId);
    await multiplier(t2, "all-x1.5", 1.5);
    await multiplier(t2, "all-x2", 2);
    await multiplier(t2, "vip-x3", 3, { targetSegmentId: seg2.segmentId });
    expect((await recordOrder(t2, order(vip2, "v-1"), actor)).order.pointsBoost).toEqual({ campaignId: "vip-x3", multiplier: 3, extraPoints: 176 });
    expect((await recordOrder(t2, order(other2, "n-1"), actor)).order.pointsBoost).toEqual({ campaignId: "all-x2", multiplier: 2, extraPoints: 88 });
    expect(multiplied(88, 1.5)).toBe(132);
    expect(multiplied(11, 1.5)).toBe(16); // 16.5 rounded down
  });

  it("stops multiplying once the campaign is paused; another container's cache keeps it up to a minute", async () => {
    const t = newTenantId();
    await multiplier(t, "x2", 2);
    const m = await member(t);
    expect((await recordOrder(t, order(m, "a"), actor)).order.pointsEarned).toBe(176);
    // Paused behind this container's back (another container writing the stored item).
    const stored = await getStoredCampaign(t, "x2");
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: campaignItem({ ...stored, status: "PAUSED", revision: stored.revision + 1 }) }));
    expect((await recordOrder(t, order(m, "b"), actor)).order.pointsEarned).toBe(176); // the documented staleness
    forgetMultiplierCampaigns(t); // what the minute does
    expect((await recordOrder(t, order(m, "c"), actor)).order.pointsEarned).toBe(88);
    // A change written in this container is seen at once.
    await changeCampaignStatus(t, "x2", "RUNNING");
    expect((await recordOrder(t, order(m, "d"), actor)).order.pointsEarned).toBe(176);
    await changeCampaignStatus(t, "x2", "ENDED");
    expect((await recordOrder(t, order(m, "e"), actor)).order.pointsEarned).toBe(88);
  });
});

import { changeCampaignStatus, createCampaign } from "@growth/core/campaign";
import { createCouponDefinition, getCouponDefinition } from "@growth/core/coupon";
import { createMember } from "@growth/core/member";
import { createSegment, refreshSegment } from "@growth/core/segment";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { parseCouponsArgs, run } from "./coupons.js";

const by = { actor: "test" };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("npm run coupons", () => {
  it("parses and refuses arguments with one line", () => {
    expect(parseCouponsArgs(["issue", "--tenant", "demo", "--definition", "d1"])).toEqual({ tenant: "demo", definition: "d1", concurrency: 8 });
    expect(parseCouponsArgs(["issue", "-t", "demo"])).toBe("--definition is required");
    expect(parseCouponsArgs(["issue", "-d", "d1"])).toBe("--tenant is required");
    expect(parseCouponsArgs(["redeem", "-t", "demo", "-d", "d1"])).toMatch(/unknown command/);
    expect(parseCouponsArgs(["issue", "-t", "a#b", "-d", "d1"])).toMatch(/not a valid tenant id/);
    expect(parseCouponsArgs(["issue", "-t", "x", "-d", "d1", "--concurrency", "0"])).toMatch(/--concurrency/);
  });

  it("issues to the segment against the test database, and a rerun issues nothing", async () => {
    const t = newTenantId();
    for (let i = 0; i < 3; i++) await createMember(t, { name: `M${i}`, sourceChannel: "APP", tags: ["vip"], marketingConsent: true }, by);
    const seg = await createSegment(t, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, by);
    await refreshSegment(t, seg.segmentId);
    await createCampaign(t, { id: "c1", name: "C", type: "COUPON", targetSegmentId: seg.segmentId }, by);
    await changeCampaignStatus(t, "c1", "RUNNING");
    await createCouponDefinition(t, { id: "d1", campaignId: "c1", name: "5 off", amountOff: 5, totalQuantity: 100, redeemableAt: ["ONLINE"] }, by);
    const first = capture();
    expect(await run(["issue", "--tenant", t, "--definition", "d1"], first.io)).toBe(0);
    expect(first.out[0]).toMatch(/^coupons issue d1 to segment .+: 3 members read, 3 issued, 0 already issued/);
    const again = capture();
    expect(await run(["issue", "--tenant", t, "--definition", "d1"], again.io)).toBe(0);
    expect(again.out[0]).toMatch(/3 members read, 0 issued, 3 already issued/);
    expect((await getCouponDefinition(t, "d1")).issued).toBe(3);
    const missing = capture();
    expect(await run(["issue", "--tenant", t, "--definition", "nope"], missing.io)).toBe(2);
    expect(missing.err[0]).toMatch(/CouponDefinition nope was not found/);
  });
});

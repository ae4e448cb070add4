import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { createSegment, getSegment, listSegmentMembers } from "@growth/core/segment";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { parseJobsArgs, run } from "./jobs.js";

const by = { actor: "test" };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTTY: false }, out, err };
}

describe("npm run jobs -- segments", () => {
  it("parses --segment and refuses a malformed one", () => {
    expect(parseJobsArgs(["segments", "--tenant", "demo"])).toMatchObject({ variants: [{}] });
    expect(parseJobsArgs(["segments", "--tenant", "demo", "--segment", "seg_01ABC"])).toMatchObject({ variants: [{ segment: "seg_01ABC" }] });
    expect(parseJobsArgs(["segments", "--tenant", "demo", "--segment", "a#b"])).toMatch(/segment is not a segment id/);
  });

  it("materialises every active segment on worker threads, or one with --segment", async () => {
    const tenant = newTenantId("segcli");
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await createMember(tenant, { sourceChannel: "APP", city: i % 2 ? "Shanghai" : "Beijing" }, by)).memberId);
    await recordOrder(tenant, { orderId: "o1", memberId: ids[0]!, channel: "APP", amount: 10, occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }, by);
    const shanghai = await createSegment(tenant, { name: "Shanghai", rule: { condition: { field: "CITY", op: "EQ", value: "Shanghai" } } }, by);
    const buyers = await createSegment(tenant, { name: "Buyers", rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 1, window: { inLastDays: 30 } } } }, by);

    const all = capture();
    expect(await run(["segments", "--tenant", tenant, "--segments", "2", "--workers", "2"], all.io)).toBe(0);
    expect(all.out).toHaveLength(1);
    // 4 MEMBER + 1 ACTIVITY items read; segments in creation order.
    expect(all.out[0]).toMatch(new RegExp(`^segments for ${tenant} as of \\d{4}-\\d{2}-\\d{2}: 5 items read \\(2 segments on 2 workers\\) in \\d+\\.\\d s; segments for ${tenant} as of \\S+: 4 live members, 2 segment\\(s\\): Shanghai 2 \\(\\+2 -0\\); Buyers 1 \\(\\+1 -0\\)$`));
    const members = await listSegmentMembers(tenant, await getSegment(tenant, shanghai.segmentId), { first: 10 });
    expect(members.items.map((m) => m.memberId).sort()).toEqual([ids[1], ids[3]].sort());

    const one = capture();
    expect(await run(["segments", "--tenant", tenant, "--segment", buyers.segmentId, "--segments", "1", "--workers", "1"], one.io)).toBe(0);
    expect(one.out[0]).toMatch(/1 segment\(s\): Buyers 1 \(\+0 -0\)$/);
    expect(await getSegment(tenant, buyers.segmentId)).toMatchObject({ currentVersion: 2, size: 1 });
    expect(await getSegment(tenant, shanghai.segmentId)).toMatchObject({ currentVersion: 1 });

    const missing = capture();
    expect(await run(["segments", "--tenant", tenant, "--segment", "seg_missing", "--segments", "1", "--workers", "1"], missing.io)).toBe(3);
    // The segment is read when writing, after the scan.
    expect(missing.err.join("\n")).toContain("error: Segment seg_missing was not found");
  });
});

import { describe, expect, it } from "vitest";
import { createMember, getMember } from "../member/index.js";
import { recordOrder } from "../order/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { listLedger, movePoints } from "./index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e) => (e as { code?: string }).code ?? String(e));

async function sumLedger(t: string, memberId: string) {
  let sum = 0;
  let after: string | null | undefined;
  do {
    const page = await listLedger(t, memberId, { first: 100, after });
    sum += page.items.reduce((s, e) => s + e.points, 0);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return sum;
}

describe("points", () => {
  it("lets exactly 20 of 50 concurrent redemptions through a balance that allows 20", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    await recordOrder(t, { orderId: "o1", memberId: m.memberId, channel: "APP", amount: 200, occurredAt: "2025-01-01T00:00:00Z" }, actor);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => code(movePoints(t, "REDEEM", { memberId: m.memberId, points: 10, requestId: `r-${i}` }, "cashier"))),
    );
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(20);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(30);
    const after = await getMember(t, m.memberId);
    expect(after.pointsBalance).toBe(0);
    expect(await sumLedger(t, m.memberId)).toBe(0);
  });

  it("answers a repeated request id with the first entry and refuses overdrafts", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    const up = await movePoints(t, "ADJUST_UP", { memberId: m.memberId, points: 30, requestId: "adj-1", reason: "welcome" }, "ops");
    const again = await movePoints(t, "ADJUST_UP", { memberId: m.memberId, points: 30, requestId: "adj-1", reason: "welcome" }, "ops");
    expect(again).toMatchObject({ duplicate: true, entry: { entryId: up.entry.entryId } });
    expect(await code(movePoints(t, "ADJUST_UP", { memberId: m.memberId, points: 31, requestId: "adj-1" }, "ops"))).toBe("CONFLICT");
    expect(await code(movePoints(t, "REDEEM", { memberId: m.memberId, points: 31, requestId: "red-1" }, "ops"))).toBe("CONFLICT");
    expect(await code(movePoints(t, "REDEEM", { memberId: m.memberId, points: 0, requestId: "red-2" }, "ops"))).toBe("BAD_USER_INPUT");
    expect(await code(movePoints(t, "REDEEM", { memberId: "nobody", points: 1, requestId: "red-3" }, "ops"))).toBe("NOT_FOUND");
    await movePoints(t, "EXPIRE", { memberId: m.memberId, points: 5, requestId: "exp-1" }, "job");
    expect((await getMember(t, m.memberId)).pointsBalance).toBe(25);
    expect((await listLedger(t, m.memberId, {})).items.map((e) => [e.type, e.points])).toEqual([["EXPIRE", -5], ["ADJUST", 30]]);
  });
});

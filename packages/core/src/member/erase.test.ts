import { describe, expect, it } from "vitest";
import { listMemberOrders, recordOrder } from "../order/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { createMember, eraseMember, getMember, listMembers, memberByIdentity, memberByKey } from "./index.js";

describe("erase", () => {
  it("removes personal data, identities and tags but keeps orders and aggregates", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP", name: "Han Meimei", phone: "13500135000", email: "h@x.cn", birthday: "1990-05-06", city: "Shanghai", tags: ["vip"], identities: [{ channel: "APP", externalId: "app-1" }], marketingConsent: true }, actor);
    await recordOrder(t, { orderId: "o1", memberId: m.memberId, channel: "APP", amount: 99, occurredAt: "2025-01-01T00:00:00Z" }, actor);
    const erased = await eraseMember(t, m.memberId, { actor: "dpo" });
    expect(erased.status).toBe("ERASED");
    const stored = await getMember(t, m.memberId);
    for (const f of ["name", "phone", "email", "birthday", "city"] as const) expect(stored[f]).toBeUndefined();
    expect(stored).toMatchObject({ orderCount: 1, grossSpendMinor: 9900, marketingConsent: false, tags: [] });
    expect(await memberByKey(t, "PHONE", "+8613500135000")).toBeUndefined();
    expect(await memberByIdentity(t, "APP", "app-1")).toBeUndefined();
    expect((await listMembers(t, { tag: "vip" }, {})).items).toEqual([]);
    expect((await listMemberOrders(t, m.memberId, {})).items.map((o) => o.amountMinor)).toEqual([9900]);
    // The phone is free for a new member.
    await createMember(t, { sourceChannel: "APP", phone: "13500135000" }, actor);
  });
});

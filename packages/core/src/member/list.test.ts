import { describe, expect, it } from "vitest";
import { encodeCursor } from "../shared/cursor.js";
import { actor, newTenantId } from "../test/tenant.js";
import { createMember, listMembers } from "./index.js";

describe("member lists", () => {
  it("pages through every shard in join order, each member exactly once", async () => {
    const t = newTenantId();
    const created = await Promise.all(
      Array.from({ length: 37 }, (_, i) => createMember(t, { sourceChannel: "APP", tier: i % 3 === 0 ? "ACTIVE" : "SILENT", joinedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() }, actor)),
    );
    const expected = [...created].sort((a, b) => (a.joinedAt < b.joinedAt ? 1 : -1)).map((m) => m.memberId);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await listMembers(t, {}, { first: 10, after });
      seen.push(...page.items.map((m) => m.memberId));
      after = page.hasNextPage ? page.endCursor : null;
      pages++;
    } while (after);
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);
    const active = await listMembers(t, { tier: "ACTIVE" }, { first: 100 });
    expect(active.items.map((m) => m.memberId)).toEqual(expected.filter((id) => created.find((m) => m.memberId === id)!.tier === "ACTIVE"));
    expect(active.hasNextPage).toBe(false);
  });

  it("rejects tampered cursors, cursors of another list and of another tenant", async () => {
    const t = newTenantId();
    const other = newTenantId();
    for (let i = 0; i < 3; i++) await createMember(t, { sourceChannel: "APP" }, actor);
    const page = await listMembers(t, {}, { first: 1 });
    const cursor = page.endCursor!;
    const [payload, mac] = cursor.split(".");
    const forged = `${Buffer.from(JSON.stringify({ s: ["x", "y", "z", "w"] })).toString("base64url")}.${mac}`;
    await expect(listMembers(t, {}, { first: 1, after: forged })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listMembers(other, {}, { first: 1, after: cursor })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listMembers(t, { tier: "CORE" }, { first: 1, after: cursor })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listMembers(t, {}, { first: 1, after: `${payload}.` })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listMembers(t, {}, { first: 1, after: encodeCursor(other, "members:::::", { s: [0, 0, 0, 0] }) })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listMembers(t, {}, { first: 101 })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});

import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Row = { action: string; actor: string; target: string; detail: string | null };

describe("audit log", () => {
  it("records erase, merge, consent, partner keys and status, and permission denials, for administrators only", async () => {
    const tenant = newTenantId();
    const run = async (q: string, v: Record<string, unknown> = {}, role: "ADMIN" | "OPERATOR" | "ANALYST" = "ADMIN", sub?: string) => {
      const r = await executeOperation(q, v, { tenant, role, sub });
      expect(r.errors, q).toBeUndefined();
      return r.data as Record<string, any>;
    };
    const member = async (name: string) => (await run(`mutation($n: String!) { createMember(input: { name: $n, sourceChannel: APP }) { member { id } } }`, { n: name })).createMember.member.id as string;
    const [ann, bob, dup] = [await member("Ann"), await member("Bob"), await member("Bob again")];
    await run(`mutation($m: ID!) { setMemberConsent(input: { memberId: $m, kind: MARKETING, granted: true, source: "mini-program" }) { member { id } } }`, { m: ann }, "OPERATOR", "op-7");
    await run(`mutation($s: ID!, $d: ID!) { mergeMembers(input: { survivorId: $s, duplicateId: $d }) { member { id } } }`, { s: bob, d: dup }, "ADMIN", "admin-1");
    await run(`mutation($m: ID!) { eraseMember(input: { memberId: $m, reason: "PIPL request 42" }) { member { id } } }`, { m: ann }, "ADMIN", "admin-1");
    await run(`mutation { createPartner(input: { id: "p1", name: "P" }) { partner { id } } }`, {}, "ADMIN", "admin-1");
    const keyId = (await run(`mutation { createPartnerKey(input: { partnerId: "p1" }) { apiKey { id } } }`, {}, "ADMIN", "admin-1")).createPartnerKey.apiKey.id;
    await run(`mutation($k: ID!) { revokePartnerKey(input: { keyId: $k }) { apiKey { id } } }`, { k: keyId }, "ADMIN", "admin-1");
    await run(`mutation { setPartnerStatus(input: { id: "p1", status: SUSPENDED }) { partner { status } } }`, {}, "ADMIN", "admin-1");
    // An analyst tries to erase, twice within a minute, and to read the log: refused, logged once per field.
    for (let i = 0; i < 2; i++) expect((await executeOperation(`mutation($m: ID!) { eraseMember(input: { memberId: $m }) { member { id } } }`, { m: bob }, { tenant, role: "ANALYST", sub: "an-3" })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await executeOperation(`{ auditLog { edges { node { id } } } }`, {}, { tenant, role: "ANALYST", sub: "an-3" })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const read = async (): Promise<Row[]> =>
      (await run(`{ auditLog(first: 50) { edges { node { action actor target detail at } } } }`)).auditLog.edges.map((e: { node: Row & { at: string } }) => ({ action: e.node.action, actor: e.node.actor, target: e.node.target, detail: e.node.detail }));
    let rows = await read();
    for (let i = 0; i < 20 && rows.filter((r) => r.action === "PERMISSION_DENIED").length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50)); // denials are written off the request's path
      rows = await read();
    }
    const denied = rows.filter((r) => r.action === "PERMISSION_DENIED");
    expect(denied.map((r) => r.target).sort()).toEqual(["field:Mutation.eraseMember", "field:Query.auditLog"]);
    expect(denied.every((r) => r.actor === "an-3" && r.detail === "ANALYST")).toBe(true);
    expect(rows.filter((r) => r.action !== "PERMISSION_DENIED").reverse()).toEqual([
      { action: "CONSENT_CHANGED", actor: "op-7", target: `member:${ann}`, detail: "MARKETING granted (mini-program)" },
      { action: "MEMBERS_MERGED", actor: "admin-1", target: `member:${dup}`, detail: `merged into ${bob}` },
      { action: "MEMBER_ERASED", actor: "admin-1", target: `member:${ann}`, detail: "PIPL request 42" },
      { action: "PARTNER_KEY_CREATED", actor: "admin-1", target: "partner:p1", detail: `key ${keyId}` },
      { action: "PARTNER_KEY_REVOKED", actor: "admin-1", target: "partner:p1", detail: `key ${keyId}` },
      { action: "PARTNER_STATUS_CHANGED", actor: "admin-1", target: "partner:p1", detail: "SUSPENDED" },
    ]);
    const only = await run(`{ auditLog(action: MEMBER_ERASED) { edges { node { target } } } }`);
    expect(only.auditLog.edges).toEqual([{ node: { target: `member:${ann}` } }]);
    expect((await executeOperation(`{ auditLog(month: "2026-13") { edges { node { id } } } }`, {}, { tenant })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

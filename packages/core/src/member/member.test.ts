import { describe, expect, it } from "vitest";
import { actor, newTenantId } from "../test/tenant.js";
import {
  bindMemberCard,
  changeTags,
  createMember,
  getMember,
  linkIdentity,
  listConsentHistory,
  listMembers,
  listReferrals,
  listTierHistory,
  memberByIdentity,
  memberByKey,
  setConsent,
  setReferrer,
  setTier,
  updateMember,
} from "./index.js";

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return "OK";
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe("members", () => {
  it("creates a member with normalised contact data, identities, tags and consent history", async () => {
    const t = newTenantId();
    const m = await createMember(
      t,
      {
        name: " Li Lei ",
        phone: "138 0013 8000",
        email: " Li.Lei@Example.COM ",
        sourceChannel: "MINI_PROGRAM",
        tags: ["vip", "coffee"],
        marketingConsent: true,
        identities: [{ channel: "MINI_PROGRAM", externalId: "oAbC-123" }],
      },
      actor,
    );
    expect(m).toMatchObject({ name: "Li Lei", phone: "+8613800138000", email: "li.lei@example.com", tier: "SILENT", status: "ACTIVE", tags: ["vip", "coffee"] });
    expect((await memberByIdentity(t, "MINI_PROGRAM", "oAbC-123"))?.memberId).toBe(m.memberId);
    // External ids are case-sensitive: another case is another id.
    expect(await memberByIdentity(t, "MINI_PROGRAM", "oabc-123")).toBeUndefined();
    expect((await memberByKey(t, "PHONE", "+8613800138000"))?.memberId).toBe(m.memberId);
    const history = await listConsentHistory(t, m.memberId, {});
    expect(history.items.map((c) => [c.kind, c.granted])).toEqual([["MARKETING", true]]);
  });

  it("rejects bad input with BAD_USER_INPUT and a taken phone with CONFLICT, writing nothing", async () => {
    const t = newTenantId();
    expect(await code(createMember(t, { phone: "12345", sourceChannel: "APP" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createMember(t, { sourceChannel: "FAX" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createMember(t, { email: "nope", sourceChannel: "APP" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createMember(t, { birthday: "2001-02-30", sourceChannel: "APP" }, actor))).toBe("BAD_USER_INPUT");
    await createMember(t, { phone: "13800138001", sourceChannel: "APP" }, actor);
    expect(await code(createMember(t, { phone: "+86 138 0013 8001", sourceChannel: "APP", identities: [{ channel: "APP", externalId: "x1" }] }, actor))).toBe("CONFLICT");
    // The failed create left no identity behind.
    expect(await memberByIdentity(t, "APP", "x1")).toBeUndefined();
  });

  it("lets exactly one of many members racing for one external id win it", async () => {
    const t = newTenantId();
    const members = await Promise.all(Array.from({ length: 8 }, () => createMember(t, { sourceChannel: "WECOM" }, actor)));
    const outcomes = await Promise.all(members.map((m) => code(linkIdentity(t, m.memberId, { channel: "WECOM", externalId: "wm-shared" }))));
    expect(outcomes.filter((o) => o === "OK")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(7);
    const winner = members[outcomes.indexOf("OK")]!;
    expect((await memberByIdentity(t, "WECOM", "wm-shared"))?.memberId).toBe(winner.memberId);
  });

  it("binds an offline card by phone, registering the member when the phone is new", async () => {
    const t = newTenantId();
    const existing = await createMember(t, { phone: "13900139000", sourceChannel: "WECHAT_OA" }, actor);
    const bound = await bindMemberCard(t, { phone: "139-0013-9000", cardNo: "CARD-1" }, actor);
    expect(bound).toMatchObject({ created: false, member: { memberId: existing.memberId } });
    const fresh = await bindMemberCard(t, { phone: "13700137000", cardNo: "CARD-2", name: "Wang" }, actor);
    expect(fresh.created).toBe(true);
    expect(fresh.member).toMatchObject({ sourceChannel: "STORE", name: "Wang", phone: "+8613700137000" });
    expect((await memberByIdentity(t, "STORE", "CARD-2"))?.memberId).toBe(fresh.member.memberId);
    expect(await code(bindMemberCard(t, { phone: "13700137000", cardNo: "CARD-1" }, actor))).toBe("CONFLICT");
  });

  it("keeps tags, tiers and their lists in step", async () => {
    const t = newTenantId();
    const a = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-01-01T00:00:00Z" }, actor);
    const b = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-02-01T00:00:00Z" }, actor);
    await changeTags(t, a.memberId, { add: ["vip", "tea"] });
    await changeTags(t, b.memberId, { add: ["vip"] });
    await changeTags(t, a.memberId, { remove: ["tea"] });
    expect((await listMembers(t, { tag: "vip" }, {})).items.map((m) => m.memberId)).toEqual([b.memberId, a.memberId]);
    expect((await listMembers(t, { tag: "tea" }, {})).items).toEqual([]);
    await setTier(t, a.memberId, "LOYAL", { actor: "ops", reason: "MANUAL" });
    await setTier(t, a.memberId, "CORE", { actor: "ops" });
    expect((await listMembers(t, { tier: "CORE" }, {})).items.map((m) => m.memberId)).toEqual([a.memberId]);
    expect((await listMembers(t, { tier: "LOYAL" }, {})).items).toEqual([]);
    expect((await listMembers(t, { tier: "SILENT" }, {})).items.map((m) => m.memberId)).toEqual([b.memberId]);
    const tiers = await listTierHistory(t, a.memberId, {});
    expect(tiers.items.map((c) => `${c.from}->${c.to}`)).toEqual(["LOYAL->CORE", "SILENT->LOYAL"]);
    expect(await code(listMembers(t, { tier: "CORE", tag: "vip" }, {}))).toBe("BAD_USER_INPUT");
  });

  it("moves a member's list positions when the join time changes", async () => {
    const t = newTenantId();
    const a = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-01-01T00:00:00Z", tags: ["x"], identities: [{ channel: "APP", externalId: "a" }] }, actor);
    const b = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-03-01T00:00:00Z", tags: ["x"], identities: [{ channel: "APP", externalId: "b" }] }, actor);
    await updateMember(t, a.memberId, { joinedAt: "2025-06-01T08:00:00+08:00" });
    for (const filter of [{}, { tag: "x" }, { channel: "APP" as const }]) {
      expect((await listMembers(t, filter, {})).items.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    }
    expect((await listMembers(t, { joinedFrom: "2025-05-01T00:00:00Z" }, {})).items.map((m) => m.memberId)).toEqual([a.memberId]);
    expect((await getMember(t, a.memberId)).joinedAt).toBe("2025-06-01T00:00:00.000Z");
  });

  it("swaps the unique phone key when the phone changes", async () => {
    const t = newTenantId();
    const a = await createMember(t, { phone: "13800000001", sourceChannel: "APP" }, actor);
    const b = await createMember(t, { phone: "13800000002", sourceChannel: "APP" }, actor);
    await updateMember(t, a.memberId, { phone: "13800000003" });
    expect(await memberByKey(t, "PHONE", "+8613800000001")).toBeUndefined();
    expect((await memberByKey(t, "PHONE", "+8613800000003"))?.memberId).toBe(a.memberId);
    expect(await code(updateMember(t, b.memberId, { phone: "13800000003" }))).toBe("CONFLICT");
    await updateMember(t, b.memberId, { phone: "13800000001" });
    expect((await memberByKey(t, "PHONE", "+8613800000001"))?.memberId).toBe(b.memberId);
  });

  it("records referrers and refuses self-referral and cycles", async () => {
    const t = newTenantId();
    const a = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-01-01T00:00:00Z" }, actor);
    const b = await createMember(t, { sourceChannel: "APP", referrerId: a.memberId, joinedAt: "2025-01-02T00:00:00Z" }, actor);
    const c = await createMember(t, { sourceChannel: "APP", joinedAt: "2025-01-03T00:00:00Z" }, actor);
    await setReferrer(t, c.memberId, b.memberId);
    expect(await code(setReferrer(t, a.memberId, c.memberId))).toBe("BAD_USER_INPUT"); // a -> b -> c -> a
    expect(await code(setReferrer(t, a.memberId, a.memberId))).toBe("BAD_USER_INPUT");
    expect(await code(setReferrer(t, c.memberId, a.memberId))).toBe("CONFLICT");
    expect((await getMember(t, a.memberId)).referralCount).toBe(1);
    expect((await listReferrals(t, b.memberId, {})).items.map((m) => m.memberId)).toEqual([c.memberId]);
  });

  it("records every consent change with who and where", async () => {
    const t = newTenantId();
    const m = await createMember(t, { sourceChannel: "APP" }, actor);
    await setConsent(t, m.memberId, { kind: "MARKETING", granted: true, source: "MINI_PROGRAM" }, { actor: "member" });
    const after = await setConsent(t, m.memberId, { kind: "MARKETING", granted: false, source: "SMS" }, { actor: "ops-1" });
    expect(after.marketingConsent).toBe(false);
    const h = await listConsentHistory(t, m.memberId, {});
    expect(h.items.map((c) => [c.granted, c.source, c.actor])).toEqual([
      [false, "SMS", "ops-1"],
      [true, "MINI_PROGRAM", "member"],
    ]);
  });

  it("never reads across tenants", async () => {
    const a = newTenantId();
    const b = newTenantId();
    const m = await createMember(a, { sourceChannel: "APP", phone: "13811112222", identities: [{ channel: "APP", externalId: "same" }] }, actor);
    expect(await code(getMember(b, m.memberId))).toBe("NOT_FOUND");
    expect(await memberByIdentity(b, "APP", "same")).toBeUndefined();
    expect(await memberByKey(b, "PHONE", "+8613811112222")).toBeUndefined();
    expect((await listMembers(b, {}, {})).items).toEqual([]);
    // The same phone and identity are free in the other tenant.
    await createMember(b, { sourceChannel: "APP", phone: "13811112222", identities: [{ channel: "APP", externalId: "same" }] }, actor);
  });
});

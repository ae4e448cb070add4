import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { countRequests } from "../db/requests.js";
import { bindMemberCard, createMember, getMember, getMembers, listMembers, memberByKey, mergeMembers, updateMember } from "../member/index.js";
import { memberItem } from "../member/item.js";
import { bulkLoadDemoBrand } from "../bench/index.js";
import { generateDemoBrand, loadDemoBrand } from "../demo/index.js";
import { importCsv } from "../importer/index.js";
import { ConflictError } from "../shared/errors.js";
import { actor, newTenantId } from "../test/tenant.js";
import { itemsContaining, scanTenant } from "../test/scan.js";
import {
  forgetKeys,
  keyStatus,
  localMasterKey,
  piiReader,
  piiWriter,
  readKeyring,
  reencryptMembers,
  resetMasterKey,
  retireDataKeys,
  rewrapKeyring,
  rotateDataKey,
  versionOf,
} from "./index.js";

/** Every spelling of a phone that would give it away: E.164, with and without +, national. */
const spellings = (e164: string) => [e164, e164.slice(1), e164.replace(/^\+86/, "")];

describe("personal data at rest", () => {
  it("keeps no plaintext phone or email in the table after create, update, card binding and merge, while lookups and reads still work", async () => {
    const t = newTenantId("pii");
    const a = await createMember(t, { sourceChannel: "APP", name: "Li", phone: "13800138001", email: "first.person@example.com", customerNo: "C-1" }, actor);
    const b = await createMember(t, { sourceChannel: "STORE", phone: "13800138002", email: "second.person@example.org" }, actor);
    const c = await createMember(t, { sourceChannel: "WEB", email: "third.person@example.net" }, actor);
    await updateMember(t, a.memberId, { phone: "13800138003", email: "first.new@example.com" });
    const { member: carded, created } = await bindMemberCard(t, { phone: "13800138004", cardNo: "CARD-4" }, actor);
    expect(created).toBe(true);
    // c has no phone: merging b into c fills it (and b's email) from the duplicate.
    await mergeMembers(t, c.memberId, b.memberId, actor);

    const items = await scanTenant(t);
    const phones = ["+8613800138001", "+8613800138002", "+8613800138003", "+8613800138004"].flatMap(spellings);
    const emails = ["first.person@example.com", "second.person@example.org", "third.person@example.net", "first.new@example.com"];
    expect(itemsContaining(items, [...phones, ...emails])).toEqual([]);
    // What is stored: ciphertexts under version 1, and phone keys by blind index.
    const stored = items.find((i) => i.pk === keys.member(t, a.memberId).pk && i.sk === "MEMBER")!;
    expect(String(stored.phone)).toMatch(/^pii1\.1\.[A-Za-z0-9_-]+$/);
    expect(String(stored.email)).toMatch(/^pii1\.1\.[A-Za-z0-9_-]+$/);
    expect(items.filter((i) => i.sk === "KEY" && i.kind === "PHONE").length).toBe(3); // 003 (a), 002 (now c's), 004; 001 was freed
    expect(items.filter((i) => i.sk === "KEY" && i.kind === "PHONE").every((i) => !("value" in i))).toBe(true);
    // The customer number is the brand's reference, not contact data: its key stays readable.
    expect(items.some((i) => i.pk === `T#${t}#KEY#CUSTOMER_NO#C-1`)).toBe(true);

    expect(await getMember(t, a.memberId)).toMatchObject({ phone: "+8613800138003", email: "first.new@example.com" });
    expect((await getMember(t, c.memberId)).phone).toBe("+8613800138002");
    expect((await getMember(t, c.memberId)).email).toBe("third.person@example.net");
    expect((await memberByKey(t, "PHONE", "+8613800138003"))?.memberId).toBe(a.memberId);
    expect((await memberByKey(t, "PHONE", "+8613800138002"))?.memberId).toBe(c.memberId);
    expect((await memberByKey(t, "PHONE", "+8613800138004"))?.memberId).toBe(carded.memberId);
    expect(await memberByKey(t, "PHONE", "+8613800138001")).toBeUndefined();
    expect((await getMembers(t, [a.memberId, carded.memberId])).map((m) => m?.phone)).toEqual(["+8613800138003", "+8613800138004"]);
    expect((await listMembers(t, {}, {})).items.map((m) => m.phone).sort()).toEqual(["+8613800138002", "+8613800138003", "+8613800138004"]);
    // Uniqueness still holds on the blind index.
    await expect(createMember(t, { sourceChannel: "APP", phone: "+86 138 0013 8003" }, actor)).rejects.toMatchObject({ code: "CONFLICT", details: { memberId: a.memberId, field: "phone" } });
  });

  it("keeps no plaintext phone or email after an import, the demo loader and the bench bulk loader", async () => {
    const t = newTenantId("imp");
    const file = join(mkdtempSync(join(tmpdir(), "pii-import-")), "members.csv");
    writeFileSync(file, ["customer_no,name,phone,email,source_channel", "K1,Imported One,138 0013 9001,Imported.One@Example.com,APP", "K2,Imported Two,13800139002,,STORE", ""].join("\n"));
    expect(await importCsv(t, "members", file)).toMatchObject({ rows: 2, membersCreated: 2, badCount: 0 });
    expect(itemsContaining(await scanTenant(t), [...spellings("+8613800139001"), ...spellings("+8613800139002"), "imported.one@example.com"])).toEqual([]);
    expect((await memberByKey(t, "PHONE", "+8613800139001"))?.email).toBe("imported.one@example.com");

    const plan = generateDemoBrand(5, 30);
    const needles = plan.members.flatMap((m) => [...(m.phone ? spellings(m.phone) : []), ...(m.email ? [m.email] : [])]);
    expect(needles.length).toBeGreaterThan(30);
    for (const [tenant, load] of [
      [newTenantId("demo"), (x: string) => loadDemoBrand(x, { seed: 5, members: 30 })],
      [newTenantId("bulk"), (x: string) => bulkLoadDemoBrand(x, plan)],
    ] as const) {
      await load(tenant);
      expect(itemsContaining(await scanTenant(tenant), needles), tenant).toEqual([]);
      const withPhone = plan.members.find((m) => m.phone)!;
      expect((await memberByKey(tenant, "PHONE", withPhone.phone!))?.memberId).toBe(withPhone.memberId);
    }
  });

  it("binds each ciphertext to its tenant and field", async () => {
    const [t1, t2] = [newTenantId("pii"), newTenantId("pii")];
    const w1 = await piiWriter(t1);
    const sealed = w1.encrypt("phone", "+8613800000000");
    expect(sealed).not.toBe(w1.encrypt("phone", "+8613800000000")); // random IV
    expect(w1.decrypt("phone", sealed)).toBe("+8613800000000");
    expect(() => w1.decrypt("email", sealed)).toThrow();
    const r2 = await piiReader(t2, [sealed]); // t2's own version-1 key: the wrong key for t1's ciphertext
    expect(() => r2.decrypt("phone", sealed)).toThrow();
    // Blind indexes differ per tenant: the same phone is not linkable across brands.
    expect(w1.blindIndex("PHONE", "+8613800000000")).not.toBe((await piiWriter(t2)).blindIndex("PHONE", "+8613800000000"));
  });

  it("reads members with no request for keys in steady state", async () => {
    const t = newTenantId("pii");
    const m = await createMember(t, { sourceChannel: "APP", phone: "13900139000", email: "steady@example.com" }, actor);
    const read = await countRequests(() => getMember(t, m.memberId));
    expect(read.result.phone).toBe("+8613900139000");
    expect(read.tally.byCommand).toEqual({ GetItemCommand: 1 });
    const byPhone = await countRequests(() => memberByKey(t, "PHONE", "+8613900139000"));
    expect(byPhone.result?.memberId).toBe(m.memberId);
    expect(byPhone.tally.byCommand).toEqual({ GetItemCommand: 2 }); // the key, then the member
    // A batch of one key is a GetItem; of more, one BatchGetItem.
    const one = await countRequests(() => getMembers(t, [m.memberId]));
    expect(one.tally.byCommand).toEqual({ GetItemCommand: 1 });
    const many = await countRequests(() => getMembers(t, [m.memberId, "no-such-member"]));
    expect(many.result.map((x) => x?.phone ?? null)).toEqual(["+8613900139000", null]);
    expect(many.tally.byCommand).toEqual({ BatchGetItemCommand: 1 });
    // A lookup in a tenant that never stored personal data finds nothing and creates no keyring.
    const empty = newTenantId("pii");
    expect(await memberByKey(empty, "PHONE", "+8613900139000")).toBeUndefined();
    expect(await readKeyring(empty, true)).toBeUndefined();
  });

  it("rotates a tenant's data key: new writes use the new version, re-encryption moves the rest, the old version is retired", async () => {
    const t = newTenantId("rot");
    const old1 = await createMember(t, { sourceChannel: "APP", phone: "13700137001", email: "old.one@example.com" }, actor);
    const old2 = await createMember(t, { sourceChannel: "APP", phone: "13700137002" }, actor);
    expect((await keyStatus(t)).current).toBe(1);

    const ring = await rotateDataKey(t);
    expect(ring.current).toBe(2);
    expect(Object.keys(ring.versions).sort()).toEqual(["1", "2"]);
    const fresh = await createMember(t, { sourceChannel: "APP", phone: "13700137003", email: "new.one@example.com" }, actor);
    const versions = async () => Object.fromEntries((await scanTenant(t)).filter((i) => i.sk === "MEMBER").map((i) => [i.memberId, [versionOf(String(i.phone)), i.email ? versionOf(String(i.email)) : null]]));
    expect(await versions()).toEqual({ [old1.memberId]: [1, 1], [old2.memberId]: [1, null], [fresh.memberId]: [2, 2] });
    // Both versions read side by side.
    expect((await getMembers(t, [old1.memberId, fresh.memberId])).map((m) => m?.email)).toEqual(["old.one@example.com", "new.one@example.com"]);

    // Too early: another process may still write with version 1 for up to a minute.
    await expect(reencryptMembers(t)).rejects.toBeInstanceOf(ConflictError);
    // Nothing refers to nothing yet: retiring now keeps version 1.
    expect(await retireDataKeys(t)).toMatchObject({ retired: [], kept: [1, 2], references: { "1": 3, "2": 2 } });

    expect(await reencryptMembers(t, { minVersionAgeMs: 0 })).toEqual({ current: 2, membersScanned: 3, reencrypted: 2, migrated: 0, changedMeanwhile: 0 });
    expect(await versions()).toEqual({ [old1.memberId]: [2, 2], [old2.memberId]: [2, null], [fresh.memberId]: [2, 2] });
    expect(await reencryptMembers(t, { minVersionAgeMs: 0 })).toMatchObject({ membersScanned: 3, reencrypted: 0 }); // rerun: nothing left
    expect(await retireDataKeys(t)).toEqual({ current: 2, references: { "2": 5 }, plaintext: 0, retired: [1], kept: [2] });
    expect(Object.keys((await readKeyring(t, true))!.versions)).toEqual(["2"]);

    // A new process (nothing cached) reads everything with what the keyring now holds.
    forgetKeys();
    expect((await getMember(t, old1.memberId)).phone).toBe("+8613700137001");
    expect((await memberByKey(t, "PHONE", "+8613700137002"))?.memberId).toBe(old2.memberId);
    expect(itemsContaining(await scanTenant(t), ["13700137001", "13700137002", "13700137003", "old.one@", "new.one@"])).toEqual([]);
  });

  it("migrates members written before encryption: ciphertext and a blind-index phone key", async () => {
    const t = newTenantId("legacy");
    const enc = await createMember(t, { sourceChannel: "APP", phone: "13600136001" }, actor);
    // What an older version of the code left: plaintext fields and a phone key named by the number.
    const legacy = { ...enc, memberId: "m-legacy", phone: "+8613600136002", email: "legacy@example.com" };
    const plain = { ...memberItem(legacy, await piiWriter(t)), phone: legacy.phone, email: legacy.email };
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: plain }));
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...keys.memberKey(t, "PHONE", legacy.phone), tenantId: t, kind: "PHONE", value: legacy.phone, memberId: legacy.memberId, createdAt: legacy.createdAt } }));
    expect((await getMember(t, "m-legacy")).email).toBe("legacy@example.com"); // plaintext reads as it is

    expect(await reencryptMembers(t, { minVersionAgeMs: 0 })).toEqual({ current: 1, membersScanned: 2, reencrypted: 1, migrated: 1, changedMeanwhile: 0 });
    expect(itemsContaining(await scanTenant(t), [...spellings("+8613600136002"), "legacy@example.com"])).toEqual([]);
    expect(await getMember(t, "m-legacy")).toMatchObject({ phone: "+8613600136002", email: "legacy@example.com" });
    expect((await memberByKey(t, "PHONE", "+8613600136002"))?.memberId).toBe("m-legacy");
    expect((await retireDataKeys(t)).plaintext).toBe(0);
  });

  it("re-wraps a tenant's keys under a new master key without touching any ciphertext", async () => {
    const t = newTenantId("wrap");
    const m = await createMember(t, { sourceChannel: "APP", phone: "13500135001", email: "wrap@example.com" }, actor);
    const before = await scanTenant(t);
    const oldFile = process.env.PII_MASTER_KEY_FILE!;
    const newFile = join(mkdtempSync(join(tmpdir(), "growth-test-rewrap-")), "master.key");
    try {
      process.env.PII_MASTER_KEY_FILE = newFile;
      resetMasterKey();
      const ring = await rewrapKeyring(t, localMasterKey(oldFile));
      expect(ring.index.masterKeyId).toBe(localMasterKey(newFile).keyId);
      expect(ring.index.masterKeyId).not.toBe(localMasterKey(oldFile).keyId);
      forgetKeys();
      expect(await getMember(t, m.memberId)).toMatchObject({ phone: "+8613500135001", email: "wrap@example.com" });
      expect((await memberByKey(t, "PHONE", "+8613500135001"))?.memberId).toBe(m.memberId);
      const memberOf = (items: Record<string, unknown>[]) => items.find((i) => i.sk === "MEMBER");
      expect(memberOf(await scanTenant(t))).toEqual(memberOf(before));
    } finally {
      process.env.PII_MASTER_KEY_FILE = oldFile;
      resetMasterKey();
      forgetKeys();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resetClients } from "../db/client.js";
import { getMember, getMembers, memberByKey } from "../member/read.js";
import { createMember } from "../member/create.js";
import { listMemberOrders } from "../order/read.js";
import { listLedger } from "../points/ledger.js";
import { getSettings, updateSettings } from "../tenant/settings.js";
import { actor, newTenantId } from "../test/tenant.js";
import { ImportAbortedError, ImportFileError, importCsv, memberIdOf, parseDay, parseInstant, type ImportSummary } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "import-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function csv(lines: string[], eol = "\n"): string {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, lines.join(eol) + eol);
  return path;
}

/** Orders of a member, all pages. */
async function orderIds(tenant: string, memberId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listMemberOrders(tenant, memberId, { first: 100, after });
    ids.push(...page.items.map((o) => o.orderId));
    if (!page.hasNextPage) return ids.sort();
    after = page.endCursor;
  }
}

const stats = (m: { orderCount: number; grossSpendMinor: number; pointsBalance: number; firstOrderAt?: string; lastOrderAt?: string; joinedAt: string; version: number }) => ({
  orderCount: m.orderCount,
  grossSpendMinor: m.grossSpendMinor,
  pointsBalance: m.pointsBalance,
  firstOrderAt: m.firstOrderAt,
  lastOrderAt: m.lastOrderAt,
  joinedAt: m.joinedAt,
  version: m.version,
});

const counts = (s: ImportSummary) => ({
  rows: s.rows,
  imported: s.imported,
  unchanged: s.unchanged,
  badCount: s.badCount,
  membersCreated: s.membersCreated,
  ordersCreated: s.ordersCreated,
  amountMinor: s.totals.amountMinor,
});

describe("dates", () => {
  it("reads days as midnight in the brand's time zone and rejects impossible dates", () => {
    expect(parseDay("1997-01-01")).toBe("1997-01-01");
    expect(parseDay("19970101")).toBe("1997-01-01");
    expect(parseDay("1997-02-29")).toBeUndefined();
    expect(parseDay("1997-0101")).toBeUndefined();
    expect(parseInstant("1997-01-01", "Asia/Shanghai")).toBe("1996-12-31T16:00:00.000Z");
    expect(parseInstant("19970101", "America/New_York")).toBe("1997-01-01T05:00:00.000Z");
    expect(parseInstant("2024-05-01 13:45", "Asia/Shanghai")).toBe("2024-05-01T05:45:00.000Z");
    expect(parseInstant("2024-05-01T13:45:00+02:00", "Asia/Shanghai")).toBe("2024-05-01T11:45:00.000Z");
    expect(parseInstant("yesterday", "Asia/Shanghai")).toBeUndefined();
  });
});

describe("transactions import", () => {
  const lines = [
    "customer_id,date,quantity,amount", //        1
    "00001,1997-01-01,1,11.77", //                2
    "00001,1997-01-01,1,11.77", //                3 identical line: a second order
    "00002,19970102,2,20.00", //                  4
    "00003,1997-02-30,1,5.00", //                 5 no such day
    "00004,1997-01-03,1,abc", //                  6
    ",1997-01-03,1,1.00", //                      7
    "00005,1997-01-04,1,-3.00", //                8
    "00002,1997-01-01,1,0.00", //                 9 earlier than line 4: 00002 joins on 1997-01-01
    "", //                                        10 empty lines are skipped
    "00006,1997-01-05", //                        11 too short
    "00001,1997-01-01,1,11.770", //               12 three decimals
    "00007,2999-01-01,1,1.00", //                 13 future
    "00008,1997-01-06,1,\"1,000.00\"", //         14 thousands separator
    "bad id!,1997-01-06,1,1.00", //               15
  ];
  const expectedBad = [
    { line: 5, reason: 'date "1997-02-30" is not a date (YYYY-MM-DD or YYYYMMDD)' },
    { line: 6, reason: 'amount "abc" is not a decimal amount with at most two decimals' },
    { line: 7, reason: "customer_id is required" },
    { line: 8, reason: "amount -3.00 is negative" },
    { line: 11, reason: "amount is missing" },
    { line: 12, reason: 'amount "11.770" is not a decimal amount with at most two decimals' },
    { line: 13, reason: "date 2999-01-01 is in the future" },
    { line: 14, reason: 'amount "1,000.00" is not a decimal amount with at most two decimals' },
    { line: 15, reason: 'customer_id "bad id!" must be 1-64 letters, digits or _.:-' },
  ];

  it("reports bad rows by line, keeps identical lines as two orders, and re-imports as a no-op", async () => {
    const t = newTenantId();
    const file = csv(lines, "\r\n");
    // Batches of 3 rows: customer 00002 spans batches, and its earliest day comes later in the file.
    const progress: number[] = [];
    const first = await importCsv(t, "transactions", file, { batchSize: 3, concurrency: 4, onProgress: (p) => progress.push(p.bytesRead) });
    expect(first.bad).toEqual(expectedBad);
    expect(counts(first)).toEqual({ rows: 13, imported: 4, unchanged: 0, badCount: 9, membersCreated: 2, ordersCreated: 4, amountMinor: 1177 * 2 + 2000 });
    expect(progress.at(-1)).toBeGreaterThan(0);

    const m1 = await getMember(t, memberIdOf(t, "00001"));
    expect(m1).toMatchObject({ customerNo: "00001", sourceChannel: "WEB", orderCount: 2, grossSpendMinor: 2354, joinedAt: "1996-12-31T16:00:00.000Z" });
    expect(m1.firstOrderAt).toBe("1996-12-31T16:00:00.000Z");
    const m2 = await getMember(t, memberIdOf(t, "00002"));
    expect(m2).toMatchObject({ orderCount: 2, grossSpendMinor: 2000, joinedAt: "1996-12-31T16:00:00.000Z", firstOrderAt: "1996-12-31T16:00:00.000Z", lastOrderAt: "1997-01-01T16:00:00.000Z" });
    expect((await memberByKey(t, "CUSTOMER_NO", "00002"))?.memberId).toBe(m2.memberId);
    expect(await orderIds(t, m1.memberId)).toHaveLength(2);

    const before = { m1: stats(m1), m2: stats(m2), o1: await orderIds(t, m1.memberId), o2: await orderIds(t, m2.memberId) };
    const again = await importCsv(t, "transactions", file, { batchSize: 3 });
    expect(again.bad).toEqual(expectedBad);
    expect(counts(again)).toEqual({ rows: 13, imported: 0, unchanged: 4, badCount: 9, membersCreated: 0, ordersCreated: 0, amountMinor: 4354 });
    const [a1, a2] = await getMembers(t, [m1.memberId, m2.memberId]);
    const after = { m1: stats(a1!), m2: stats(a2!), o1: await orderIds(t, m1.memberId), o2: await orderIds(t, m2.memberId) };
    expect(after).toEqual(before);
  });

  it("adds only what is new when a file grows, and keeps members that already exist as they are", async () => {
    const t = newTenantId();
    await updateSettings(t, { currency: "USD" });
    const existing = await createMember(t, { memberId: memberIdOf(t, "00001"), customerNo: "00001", sourceChannel: "APP", joinedAt: "2020-01-01T00:00:00Z" }, actor);
    // A member created through the API with a generated id owns customer number 00009.
    const other = await createMember(t, { customerNo: "00009", sourceChannel: "STORE" }, actor);
    const base = ["customer_id,date,amount", "00001,1997-01-01,10.00", "00009,1997-01-02,3.00"];
    const s1 = await importCsv(t, "transactions", csv(base), { channel: "MINI_PROGRAM" });
    expect(counts(s1)).toMatchObject({ imported: 2, membersCreated: 0, ordersCreated: 2 });
    const s2 = await importCsv(t, "transactions", csv([...base, "00001,1997-01-01,10.00", "00010,1997-03-01,1.50"]), { channel: "MINI_PROGRAM" });
    expect(counts(s2)).toMatchObject({ imported: 2, unchanged: 2, membersCreated: 1, ordersCreated: 2, amountMinor: 2450 });
    const [m1, m9, m10] = await getMembers(t, [existing.memberId, other.memberId, memberIdOf(t, "00010")]);
    expect(m1).toMatchObject({ sourceChannel: "APP", joinedAt: "2020-01-01T00:00:00.000Z", orderCount: 2, grossSpendMinor: 2000 });
    expect(m9).toMatchObject({ orderCount: 1, grossSpendMinor: 300 });
    expect(m10).toMatchObject({ sourceChannel: "MINI_PROGRAM", orderCount: 1, grossSpendMinor: 150 });
    // No second member for 00009 under the stable id.
    expect((await getMembers(t, [memberIdOf(t, "00009")]))[0]).toBeUndefined();
  });

  it("writes a new customer (one transaction) exactly as createMember + recordOrders write an existing one", async () => {
    const t = newTenantId();
    // 00002 exists before the import, so its orders go through recordOrders; 00001 is new.
    await createMember(t, { memberId: memberIdOf(t, "00002"), customerNo: "00002", sourceChannel: "WEB", joinedAt: "1996-12-31T16:00:00Z" }, actor);
    const days = Array.from({ length: 60 }, (_, i) => `1997-${String(1 + Math.floor(i / 28)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`);
    const rows = (c: string) => days.map((d, i) => `${c},${d},${i % 7}.${String(i).padStart(2, "0")}`);
    const s = await importCsv(t, "transactions", csv(["customer_id,date,amount", ...rows("00001"), ...rows("00002")]));
    expect(counts(s)).toMatchObject({ imported: 120, membersCreated: 1, ordersCreated: 120 });

    const [fresh, old] = await getMembers(t, [memberIdOf(t, "00001"), memberIdOf(t, "00002")]);
    const expectedGross = days.reduce((sum, _, i) => sum + (i % 7) * 100 + i, 0);
    for (const m of [fresh!, old!]) expect(m.grossSpendMinor).toBe(expectedGross);
    const { version: _v1, ...a } = stats(fresh!);
    const { version: _v2, ...b } = stats(old!);
    expect(a).toEqual(b);
    expect(fresh!.lastActiveAt).toBe(old!.lastActiveAt);

    const shape = async (memberId: string) => {
      const orders: Record<string, unknown>[] = [];
      let after: string | null = null;
      do {
        const page = await listMemberOrders(t, memberId, { first: 100, after });
        orders.push(...page.items.map(({ orderId: _o, memberId: _m, fingerprint: _f, createdAt: _c, ...rest }) => rest));
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      const entries: Record<string, unknown>[] = [];
      after = null;
      do {
        const page = await listLedger(t, memberId, { first: 100, after });
        entries.push(...page.items.map((e) => ({ type: e.type, points: e.points, actor: e.actor, hasOrder: Boolean(e.orderId) })));
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      const key = (x: Record<string, unknown>) => JSON.stringify(x);
      return { orders: orders.map(key).sort(), entries: entries.map(key).sort() };
    };
    const [x, y] = await Promise.all([shape(fresh!.memberId), shape(old!.memberId)]);
    expect(x.orders).toHaveLength(60);
    expect(x).toEqual(y);
    expect(x.entries.length).toBeGreaterThan(40);
  });

  it("refuses a file without the required header, a missing file and a STORE channel", async () => {
    const t = newTenantId();
    await expect(importCsv(t, "transactions", csv(["00001,1997-01-01,1,11.77"]))).rejects.toThrow(ImportFileError);
    await expect(importCsv(t, "transactions", csv(["customer_id,date"]))).rejects.toThrow(/missing amount/);
    await expect(importCsv(t, "transactions", csv([""]))).rejects.toThrow(/empty/);
    await expect(importCsv(t, "transactions", join(dir, "nope.csv"))).rejects.toThrow(/no such file/);
    await expect(importCsv(t, "transactions", csv(["customer_id,date,amount"]), { channel: "STORE" })).rejects.toThrow(/STORE/);
  });

  it("reports malformed CSV lines and counts bad rows beyond the first 100", async () => {
    const t = newTenantId();
    const rows = ["customer_id,date,amount", '00001,"1997-01-01,1.00', ...Array.from({ length: 150 }, (_, i) => `c${i},not-a-date,1.00`)];
    // The unclosed quote swallows the rest of the file into one malformed record.
    const s1 = await importCsv(t, "transactions", csv(rows));
    expect(s1.badCount).toBe(1);
    expect(s1.bad[0]!.reason).toMatch(/^malformed CSV: Quote Not Closed/);
    const s2 = await importCsv(t, "transactions", csv(["customer_id,date,amount", 'x"y,1997-01-01,1.00', ...rows.slice(2)]));
    expect(s2.badCount).toBe(151);
    expect(s2.bad).toHaveLength(100);
    expect(s2.bad[0]).toEqual({ line: 2, reason: expect.stringMatching(/^malformed CSV: Invalid Opening Quote/) });
    expect(s2.bad[1]).toEqual({ line: 3, reason: 'date "not-a-date" is not a date (YYYY-MM-DD or YYYYMMDD)' });
    expect(s2.rows).toBe(151);
  });

  it("stops with a rerun-safe message when the database cannot be reached", async () => {
    const t = newTenantId();
    await getSettings(t); // cached, so the failure happens in the batch
    const saved = { endpoint: process.env.DYNAMODB_ENDPOINT, attempts: process.env.DYNAMODB_MAX_ATTEMPTS };
    process.env.DYNAMODB_ENDPOINT = "http://127.0.0.1:9";
    process.env.DYNAMODB_MAX_ATTEMPTS = "1";
    resetClients();
    try {
      const error = await importCsv(t, "transactions", csv(["customer_id,date,amount", "00001,1997-01-01,1.00"])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportAbortedError);
      expect((error as Error).message).toMatch(/line 2: [\s\S]*rerun the same command/);
    } finally {
      process.env.DYNAMODB_ENDPOINT = saved.endpoint;
      if (saved.attempts === undefined) delete process.env.DYNAMODB_MAX_ATTEMPTS;
      else process.env.DYNAMODB_MAX_ATTEMPTS = saved.attempts;
      resetClients();
    }
  });
});

describe("members and orders import", () => {
  const membersFile = [
    "customer_no,name,phone,email,gender,birthday,city,source_channel,joined_at,tier,tags,marketing_consent,partner_sharing_consent", // 1
    "C1,Li Lei,138 0013 8000,Li@Example.com,male,1990-05-01,Shanghai,MINI_PROGRAM,2024-01-15,LOYAL,vip; coffee,yes,no", //    2
    "C2,Han Meimei,,,F,,,,,,,,", //                          3
    "C3,Bad Phone,12345,,,,,,,,,,", //                       4
    "C4,,,,,,,FAX,,,,,", //                                  5
    "C1,Again,,,,,,,,,,,", //                                6
    "C5,Taken Phone,13800138000,,,,,,,,,,", //               7 the phone is C1's
    ",Nobody,,,,,,,,,,,", //                                 8
    "C6,,,,,,,,,SUPER,,,", //                                9
    "C7,,,,,,,,,,,maybe,", //                                10
    "C8", //                                                 11 only the customer number
  ];
  const ordersFile = [
    "order_id,customer_no,channel,store_id,amount,currency,occurred_at", // 1
    "A1,C1,MINI_PROGRAM,,100.50,,2024-02-01T10:00:00+08:00", //            2
    "A2,C1,,,20,CNY,2024-02-02 09:30", //                                  3
    "A3,C2,app,,5.5,,2024-02-03", //                                       4
    "A4,C9,APP,,1,,2024-02-03", //                                         5 unknown customer
    "A5,C2,APP,,1,USD,2024-02-03", //                                      6 wrong currency
    "A1,C1,MINI_PROGRAM,,100.50,,2024-02-01T10:00:00+08:00", //            7 same order again
    "A1,C2,APP,,3,,2024-02-01", //                                         8 same id, other order
    "A6,C2,STORE,,3,,2024-02-01", //                                       9 STORE without store
    "A7,C2,STORE,S404,3,,2024-02-01", //                                   10 unknown store
    "A8,C8,APP,,1.999,,2024-02-01", //                                     11
    ",C8,APP,,1,,2024-02-01", //                                           12
    "A9,C8,APP,,1,,2024-02-30", //                                         13
  ];

  it("imports a members file then an orders file, reporting bad rows, and re-imports as a no-op", async () => {
    const t = newTenantId();
    const members = csv(membersFile);
    const orders = csv(ordersFile);

    const m = await importCsv(t, "members", members, { channel: "APP", batchSize: 4 });
    expect(m.bad).toEqual([
      { line: 4, reason: 'phone is not a valid phone number: "12345"' },
      { line: 5, reason: "source_channel must be one of WECHAT_OA, MINI_PROGRAM, WECOM, COMMUNITY_GROUP, APP, WEB, STORE, LIVE, SMS, EMAIL, PARTNER" },
      { line: 6, reason: "customer_no C1 already appeared at line 2" },
      { line: 7, reason: "this phone number belongs to another member" },
      { line: 8, reason: "customer_no is required" },
      { line: 9, reason: "tier must be one of SILENT, ACTIVE, LOYAL, CORE" },
      { line: 10, reason: 'marketing_consent must be true/false, yes/no or 1/0 (got "maybe")' },
    ]);
    expect(counts(m)).toEqual({ rows: 10, imported: 3, unchanged: 0, badCount: 7, membersCreated: 3, ordersCreated: 0, amountMinor: 0 });
    const c1 = await getMember(t, memberIdOf(t, "C1"));
    expect(c1).toMatchObject({
      name: "Li Lei",
      phone: "+8613800138000",
      email: "li@example.com",
      gender: "MALE",
      birthday: "1990-05-01",
      city: "Shanghai",
      sourceChannel: "MINI_PROGRAM",
      joinedAt: "2024-01-14T16:00:00.000Z",
      tier: "LOYAL",
      tags: ["vip", "coffee"],
      marketingConsent: true,
      partnerSharingConsent: false,
    });
    expect(await getMember(t, memberIdOf(t, "C2"))).toMatchObject({ gender: "FEMALE", sourceChannel: "APP", tier: "SILENT" });
    expect(await getMember(t, memberIdOf(t, "C8"))).toMatchObject({ customerNo: "C8", sourceChannel: "APP" });

    const o = await importCsv(t, "orders", orders, { batchSize: 5 });
    expect(o.bad).toEqual([
      { line: 5, reason: "unknown customer C9: import it with the members file first" },
      { line: 6, reason: "currency USD is not the brand's currency CNY" },
      { line: 8, reason: "order_id A1 was already recorded with different details" },
      { line: 9, reason: "a STORE order needs a storeId" },
      { line: 10, reason: "unknown store S404" },
      { line: 11, reason: 'amount "1.999" is not a decimal amount with at most two decimals' },
      { line: 12, reason: "order_id is required" },
      { line: 13, reason: 'occurred_at "2024-02-30" is not a date-time (ISO-8601, or YYYY-MM-DD[ HH:mm[:ss]] in Asia/Shanghai)' },
    ]);
    expect(counts(o)).toEqual({ rows: 12, imported: 3, unchanged: 1, badCount: 8, membersCreated: 0, ordersCreated: 3, amountMinor: 10050 * 2 + 2000 + 550 });
    const [o1, o2] = await getMembers(t, [memberIdOf(t, "C1"), memberIdOf(t, "C2")]);
    expect(o1).toMatchObject({ orderCount: 2, grossSpendMinor: 12050, pointsBalance: 120, firstOrderAt: "2024-02-01T02:00:00.000Z", lastOrderAt: "2024-02-02T01:30:00.000Z" });
    expect(o2).toMatchObject({ orderCount: 1, grossSpendMinor: 550 });

    const before = [stats(o1!), stats(o2!), await orderIds(t, o1!.memberId), await orderIds(t, o2!.memberId)];
    const m2 = await importCsv(t, "members", members, { channel: "APP" });
    expect(counts(m2)).toEqual({ rows: 10, imported: 0, unchanged: 3, badCount: 7, membersCreated: 0, ordersCreated: 0, amountMinor: 0 });
    const o3 = await importCsv(t, "orders", orders);
    expect(counts(o3)).toEqual({ ...counts(o), imported: 0, unchanged: 4, ordersCreated: 0 });
    const [r1, r2] = await getMembers(t, [o1!.memberId, o2!.memberId]);
    expect([stats(r1!), stats(r2!), await orderIds(t, o1!.memberId), await orderIds(t, o2!.memberId)]).toEqual(before);
  });

  it("finds a customer created through the API (generated id) by its customer number", async () => {
    const t = newTenantId();
    const api = await createMember(t, { customerNo: "K1", sourceChannel: "STORE" }, actor);
    const m = await importCsv(t, "members", csv(["customer_no,name", "K1,Someone"]));
    expect(counts(m)).toMatchObject({ imported: 0, unchanged: 1, badCount: 0 });
    const o = await importCsv(t, "orders", csv(["order_id,customer_no,amount,occurred_at", "K-1,K1,9.90,2024-03-01T08:00:00Z"]));
    expect(counts(o)).toMatchObject({ imported: 1, badCount: 0 });
    const member = await getMember(t, api.memberId);
    expect(member).toMatchObject({ orderCount: 1, grossSpendMinor: 990, sourceChannel: "STORE" });
    expect(member.name).toBeUndefined(); // an existing member is left as it is
    expect((await getMembers(t, [memberIdOf(t, "K1")]))[0]).toBeUndefined();
  });
});

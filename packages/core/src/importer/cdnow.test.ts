import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { countRequests } from "../db/requests.js";
import { getMembers } from "../member/read.js";
import { updateSettings } from "../tenant/settings.js";
import { newTenantId } from "../test/tenant.js";
import { importCsv, memberIdOf, type ImportSummary } from "./index.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const FILE = resolve(repoRoot, "../shared/data/cdnow/cdnow_master_transactions.csv");
const present = existsSync(FILE);
if (!present) console.warn(`cdnow.test.ts: skipped, ${FILE} is absent (the shared CDNOW data set is not checked out beside the repo)`);

/** The file's own numbers, from its text: customers, lines and the amount total in integer cents. */
function fileFacts(path: string) {
  const customers = new Set<string>();
  let lines = 0;
  let cents = 0;
  const text = readFileSync(path, "utf8");
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (line.trim() === "") continue;
    const [customer, , , amount] = line.split(",");
    const [whole, frac = ""] = amount!.trim().split(".");
    cents += Number(whole) * 100 + Number(frac.padEnd(2, "0"));
    customers.add(customer!);
    lines++;
  }
  return { customers: [...customers], lines, cents };
}

async function memberTotals(tenant: string, customers: string[]) {
  const members = await getMembers(tenant, customers.map((c) => memberIdOf(tenant, c)));
  let orders = 0;
  let spend = 0;
  let found = 0;
  for (const m of members) {
    if (!m) continue;
    found++;
    orders += m.orderCount;
    spend += m.grossSpendMinor;
  }
  return { found, orders, spend };
}

const line = (s: ImportSummary) =>
  `${s.rows} rows, ${s.imported} imported, ${s.unchanged} unchanged, ${s.badCount} bad, ${s.membersCreated} members, ${s.ordersCreated} orders in ${(s.ms / 1000).toFixed(1)} s`;

describe.skipIf(!present)("CDNOW master file", () => {
  it(
    "imports 23,570 members and 69,659 orders whose spend adds up to the file's total, and re-imports as a no-op",
    async () => {
      const facts = fileFacts(FILE);
      expect(facts.customers).toHaveLength(23_570);
      expect(facts.lines).toBe(69_659);

      const t = newTenantId("cdnow");
      await updateSettings(t, { currency: "USD" });
      // DynamoDB Local serves requests about one at a time: a few in flight beat many (2 cores,
      // packed transactions: 111 s at 2, 120 s at 4, 128 s at 8, 150 s at 16).
      const concurrency = Number(process.env.IMPORT_CONCURRENCY ?? 4);

      const { result: first, tally } = await countRequests(() => importCsv(t, "transactions", FILE, { concurrency }));
      console.log(`CDNOW import (concurrency ${concurrency}): ${line(first)}; ${tally.total} DynamoDB calls ${JSON.stringify(tally.byCommand)}`);
      expect(first.bad).toEqual([]);
      expect(first).toMatchObject({ rows: 69_659, imported: 69_659, unchanged: 0, badCount: 0, membersCreated: 23_570, ordersCreated: 69_659 });
      expect(first.totals.amountMinor).toBe(facts.cents);

      const stored = await memberTotals(t, facts.customers);
      expect(stored).toEqual({ found: 23_570, orders: 69_659, spend: facts.cents });

      const { result: again, tally: againTally } = await countRequests(() => importCsv(t, "transactions", FILE, { concurrency }));
      console.log(`CDNOW re-import: ${line(again)}; ${againTally.total} DynamoDB calls ${JSON.stringify(againTally.byCommand)}`);
      expect(again).toMatchObject({ rows: 69_659, imported: 0, unchanged: 69_659, badCount: 0, membersCreated: 0, ordersCreated: 0 });
      expect(again.totals.amountMinor).toBe(facts.cents);
      expect(await memberTotals(t, facts.customers)).toEqual(stored);
    },
    15 * 60_000,
  );
});

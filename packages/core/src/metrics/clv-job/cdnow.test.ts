/**
 * The published CDNOW result through the whole pipeline: the 1/10 sample imported with the CSV
 * importer as a `transactions` file, then the predictive CLV job as of 1997-09-30 in weeks.
 *
 * Time zone: the file has plain dates; the importer stores each as midnight of that day in the
 * tenant's zone, and the job cuts days (and the as-of cutoff, the start of 1997-10-01) in the
 * same zone, so any zone gives the file's own days as long as it is set before the import. The
 * tenant is put in America/New_York (CDNOW was a US shop): its DST switches (1997-04-06,
 * 1997-10-26) exercise the job's slow path for days whose UTC offset changes. Had the job cut days
 * in UTC, every order would land on the day before (midnight EST is 05:00Z, but midnight in
 * Shanghai, the default zone, is 16:00Z the day before).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { importCsv, memberIdOf } from "../../importer/index.js";
import { runJob, type JobRunResult } from "../../jobs/run.js";
import { updateSettings } from "../../tenant/settings.js";
import { newTenantId } from "../../test/tenant.js";
import { CDNOW_CALIBRATION_END, readCdnow } from "../clv/cdnow-fixture.js";
import { summarizeLog } from "../clv/summary.js";
import type { ClvRun } from "./compute.js";
import { getClvSnapshot } from "./store.js";

const FILE = resolve(fileURLToPath(import.meta.url), "../../../../../../../shared/data/cdnow/cdnow_sample_transactions.csv");
const present = existsSync(FILE);
if (!present) console.warn(`clv-job cdnow.test.ts: skipped, ${FILE} is absent`);

let tenant: string;
let run: JobRunResult<ClvRun>;

describe.skipIf(!present)("CDNOW sample through the importer and the job", () => {
  beforeAll(async () => {
    tenant = newTenantId("clvcdnow");
    await updateSettings(tenant, { currency: "USD", timeZone: "America/New_York" });
    const t0 = performance.now();
    // DynamoDB Local serves about one request at a time: a few in flight are enough.
    const imported = await importCsv(tenant, "transactions", FILE, { concurrency: 4 });
    const t1 = performance.now();
    expect(imported).toMatchObject({ rows: 6919, imported: 6919, badCount: 0, membersCreated: 2357, ordersCreated: 6919 });
    run = await runJob<ClvRun>("predictive-clv", { tenantId: tenant, asOf: CDNOW_CALIBRATION_END, params: { unit: "WEEK" }, segments: 4, workers: 1 });
    const t2 = performance.now();
    console.log(`CDNOW sample: import ${((t1 - t0) / 1000).toFixed(1)} s, predictive-clv ${((t2 - t1) / 1000).toFixed(1)} s (${run.snapshotItemsRead} items, 4 segments in-thread): ${run.summary}`);
  }, 10 * 60_000);

  it("reproduces r = 0.243, α = 4.414, a = 0.793, b = 2.426 and LL = -9582.4 in weeks", () => {
    const bg = run.snapshot.snapshot.parameters.bgnbd!;
    expect(bg.customers).toBe(2357);
    expect(bg.timeUnit).toBe("WEEK");
    expect(bg.r.toFixed(3)).toBe("0.243");
    expect(bg.alpha.toFixed(3)).toBe("4.414");
    expect(bg.a.toFixed(3)).toBe("0.793");
    expect(bg.b.toFixed(3)).toBe("2.426");
    expect(bg.logLikelihood.toFixed(1)).toBe("-9582.4");
    expect(bg.converged).toBe(true);
    // Gamma-Gamma on the 946 repeat buyers: Fader & Hardie's p = 6.25, q = 3.74, γ = $15.44.
    const gg = run.snapshot.snapshot.parameters.gammaGamma!;
    expect(gg.customers).toBe(946);
    expect([gg.p.toFixed(2), gg.q.toFixed(2), (gg.gamma / 100).toFixed(2)]).toEqual(["6.25", "3.74", "15.44"]);
    expect(gg.used).toBe(true);
    expect(run.snapshot.snapshot.warnings).toEqual([]);
    expect(run.snapshot.snapshot).toMatchObject({ asOf: "1997-09-30", timeZone: "America/New_York", currency: "USD", members: 2357, customers: 2357 });
  });

  it("feeds the fit exactly the summaries of the file's own rows", () => {
    const expected = summarizeLog(readCdnow("sample"), CDNOW_CALIBRATION_END, "WEEK");
    expect(expected.size).toBe(2357);
    const byMember = new Map(run.snapshot.members.map((m) => [m.memberId, m]));
    for (const [customer, s] of expected) {
      const m = byMember.get(memberIdOf(tenant, customer));
      expect(m?.summary, customer).toEqual(s);
      expect(m?.historicalClvMinor, customer).toBe(s.totalAmountMinor);
    }
    // Customer 00004 of the paper's examples: first purchase 1997-01-01, so T = 272/7 weeks.
    expect(byMember.get(memberIdOf(tenant, "00004"))?.summary).toMatchObject({ TDays: 272, T: 272 / 7 });
  });

  it("serves what it wrote", async () => {
    expect(await getClvSnapshot(tenant)).toEqual(run.snapshot.snapshot);
  });
});

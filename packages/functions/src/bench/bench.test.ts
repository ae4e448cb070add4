import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { bulkLoadDemoBrand } from "@growth/core/bench";
import { documentClient, tableName } from "@growth/core/db/client";
import { generateDemoBrand, loadDemoBrand } from "@growth/core/demo";
import { runJob } from "@growth/core/jobs";
import { ENCRYPTED_FIELDS, piiReader } from "@growth/core/pii";
import { newTenantId } from "../test/tenant.js";
import { run } from "./cli.js";
import { loadDataset } from "./datasets.js";
import { autoSegments, parseJobsBenchArgs } from "./jobs.js";
import { BENCH_JOBS, measureDataset } from "./measure.js";
import { MemorySampler } from "./memory.js";
import { formatTable } from "./table.js";

const SEED = 11;
const MEMBERS = 200;
const AS_OF = "2026-10-31";

/** A tenant's items by kind, keyed by pk/sk without the tenant, minus what differs between two loads by nature. */
async function itemsOf(tenantId: string, kinds: RegExp): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, FilterExpression: "begins_with(pk, :p)", ExpressionAttributeValues: { ":p": `T#${tenantId}#` } }));
    const reader = await piiReader(tenantId, (page.Items ?? []).flatMap((i) => ENCRYPTED_FIELDS.map((f) => i[f])));
    for (const stored of page.Items ?? []) {
      if (!kinds.test(String(stored.sk))) continue;
      // Phone and email are encrypted under each tenant's own key (random IVs): compare plaintexts.
      // Phone keys are named by a per-tenant blind index: name them by their member instead.
      const item = { ...stored };
      for (const f of ENCRYPTED_FIELDS) if (typeof item[f] === "string") item[f] = reader.decrypt(f, item[f] as string);
      if (item.sk === "KEY" && item.kind === "PHONE") item.pk = `T#${tenantId}#KEY#PHONE#of:${String(item.memberId)}`;
      // Write times, the write counter and random ids are per load; everything else must match.
      const { createdAt: _c, updatedAt: _u, linkedAt: _l, taggedAt: _g, version: _v, referredAt: _r, entryId: _e, changeId: _i, changedAt: _d, ...rest } = item;
      const text = JSON.stringify(rest).replaceAll(tenantId, "<t>");
      out.set(`${String(item.pk).replace(tenantId, "<t>")}|${item.sk}`, JSON.parse(text) as Record<string, unknown>);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe("jobs benchmark", () => {
  it("bulk-loads a demo plan into exactly the items the domain writes, so the jobs give the same results", { timeout: 240_000 }, async () => {
    const viaDomain = newTenantId("dom");
    const viaBulk = newTenantId("blk");
    await loadDemoBrand(viaDomain, { seed: SEED, members: MEMBERS });
    await bulkLoadDemoBrand(viaBulk, generateDemoBrand(SEED, MEMBERS));

    // Members (stats, consent, tags, tier, referrals), orders, refunds, events, ACTIVITY, keys, identities, tags.
    const kinds = /^(MEMBER|ORDER|REFUND|EVENT|ACTIVITY|KEY|IDENTITY|TAG#)/;
    const [domain, bulk] = await Promise.all([itemsOf(viaDomain, kinds), itemsOf(viaBulk, kinds)]);
    expect(bulk.size).toBe(domain.size);
    const differing = [...domain].flatMap(([key, item]) => {
      const other = bulk.get(key) ?? {};
      const fields = [...new Set([...Object.keys(item), ...Object.keys(other)])].filter((f) => JSON.stringify(item[f]) !== JSON.stringify(other[f]));
      return fields.length > 0 ? [`${key}: ${fields.map((f) => `${f} ${JSON.stringify(item[f])} vs ${JSON.stringify(other[f])}`).join(", ")}`] : [];
    });
    expect(differing.slice(0, 20)).toEqual([]);
    // Ledger and consent history: ids are random, so compare them as multisets.
    const history = async (t: string) => [...(await itemsOf(t, /^(POINTS|CONSENT)#/)).values()].map((i) => JSON.stringify({ ...i, sk: String(i.sk).split("#")[0] })).sort();
    expect(await history(viaBulk)).toEqual(await history(viaDomain));

    for (const spec of BENCH_JOBS) {
      const [a, b] = await Promise.all([viaDomain, viaBulk].map((tenantId) => runJob(spec.job, { tenantId, asOf: AS_OF, params: spec.params, segments: 2, workers: 1, fresh: true })));
      const strip = (s: unknown) => JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === "computedAt" ? undefined : v)).replaceAll(viaDomain, "<t>").replaceAll(viaBulk, "<t>")) as unknown;
      expect(strip(b!.snapshot), spec.job).toEqual(strip(a!.snapshot));
    }
  });

  it("measures every figure on a small generated brand and prints them", async () => {
    const tenantId = newTenantId("bench");
    const loaded = await loadDataset({ name: "generated", tenantId, members: MEMBERS, seed: SEED });
    expect(loaded).toMatchObject({ asOf: AS_OF, members: MEMBERS });
    expect(loaded.itemsWritten).toBeGreaterThan(loaded.orders + loaded.events + loaded.members);

    const sampler = new MemorySampler();
    let measured;
    try {
      measured = await measureDataset(loaded, { segments: 2, workers: 1 }, sampler);
    } finally {
      await sampler.stop();
    }
    expect(measured.rows.map((r) => r.job)).toEqual(BENCH_JOBS.map((j) => j.label));
    for (const row of measured.rows) {
      expect(row.items).toBeGreaterThan(loaded.members);
      expect(row.bytes).toBeGreaterThan(row.items * 20);
      expect(row.scanned).toBeGreaterThanOrEqual(row.items);
      for (const figure of [row.scanMs, row.jobMs, row.ratio, row.jobScanPhaseMs, row.jobFinishPhaseMs, row.jobPeakHeapMb]) {
        expect(Number.isFinite(figure) && figure >= 0).toBe(true);
      }
      expect(row.scanPeakRssMb).toBeGreaterThan(0);
      expect(row.jobPeakRssMb).toBeGreaterThan(0);
      expect(row.jobScanPhaseMs + row.jobFinishPhaseMs).toBeCloseTo(row.jobMs, -1);
    }
    // Both jobs read MEMBER items; retention also reads events.
    expect(measured.rows[0]!.items).toBe(loaded.members + loaded.orders + loaded.events);
    expect(measured.rows[1]!.items).toBe(loaded.members + loaded.orders);
    const table = formatTable(measured.rows);
    expect(table).toContain("job ÷ scan");
    expect(table.split("\n")).toHaveLength(2 + measured.rows.length);
  });

  it("parses its flags and dispatches by benchmark name", async () => {
    const args = parseJobsBenchArgs(["--members", "5000", "--dataset", "generated"], new Date("2026-12-01T10:00:00Z"));
    expect(args).toMatchObject({ datasets: ["generated"], members: 5000, segments: "auto", seed: 2026 });
    expect(parseJobsBenchArgs(["--segments", "16"])).toMatchObject({ segments: 16 });
    expect([autoSegments(10), autoSegments(305_000), autoSegments(10_000_000)]).toEqual([4, 153, 1000]);
    expect(typeof args === "object" && args.out.endsWith("bench-results/jobs-2026-12-01T10-00-00-000Z.json")).toBe(true);
    expect(parseJobsBenchArgs([])).toMatchObject({ datasets: ["cdnow", "generated"], members: 100_000 });
    expect(parseJobsBenchArgs(["--dataset", "nope"])).toMatch(/--dataset/);
    expect(parseJobsBenchArgs(["--members", "0"])).toMatch(/--members/);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await run(["nope"], io)).toBe(2);
    expect(await run(["jobs", "--segments", "x"], io)).toBe(2);
    expect(lines.join("\n")).toContain("npm run bench -- jobs");
  });
});

/**
 * Service metrics in the daily KPI snapshot: the `kpi` job over the fixture of fixture.ts, as of
 * 2026-03-11 (Shanghai): tickets opened and answers given in 02-10..03-11, in their state at the
 * end of 03-11 (03-11 23:59:59.999 Shanghai, the millisecond before the cutoff). Hand-worked numbers in the comments.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getKpiSnapshot, kpiJob, type KpiSnapshot } from "../metrics/kpi/index.js";
import { emptyKpiPartial } from "../metrics/kpi/partial.js";
import { runJob } from "../jobs/run.js";
import { newTenantId } from "../test/tenant.js";
import { loadServiceFixture } from "./fixture.js";

const tenant = newTenantId("kps");
let one: KpiSnapshot;
let four: KpiSnapshot;

beforeAll(async () => {
  await loadServiceFixture(tenant);
  one = (await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf: "2026-03-11", segments: 1, workers: 1 })).snapshot;
  four = (await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf: "2026-03-11", segments: 4, workers: 1 })).snapshot;
}, 120_000);

describe("kpi job: service metrics", () => {
  it("computes the 30 days ending on D as of the end of D, the same for any segment count, and stores them", async () => {
    expect(one.service).toEqual(four.service);
    expect(one.service).toMatchObject({ from: "2026-02-10", to: "2026-03-11", at: "2026-03-11T15:59:59.999Z" });
    expect(one.service!.overall).toEqual({
      tickets: 7, // A..G (A opened 03-09, inside the 30 days)
      resolved: 4, // A B C G
      resolutionRate: 4 / 7,
      responded: 5, // B 3,600,000; A 3,600,001; G 7,200,000; D 86,400,000; C 108,000,000
      firstResponseMedianMs: 7_200_000,
      firstResponseP90Ms: 108_000_000, // rank ⌈4.5⌉ = 5
      resolutionMedianMs: 16_200_000, // A 7,200,001; G 14,400,000; B 18,000,000; C 129,600,000 → (14.4M + 18M) / 2
      resolutionP90Ms: 129_600_000, // rank ⌈3.6⌉ = 4
      slaDecided: 5, // A B C D G; at the cutoff E (due 03-12 08:00) and F are still running
      slaBreached: 1, // C
      slaBreachRate: 0.2,
      surveys: 4, // B 10, C 6 (03-11 23:59:59.999), G 9, G 8; A's 0 at 03-12 00:00:00.000 is after D
      promoters: 2,
      detractors: 1,
      satisfied: 3,
      nps: 25,
      csat: 0.75,
    });
    expect(one.service!.byAssignee.map((a) => [a.assigneeStaffId, a.tickets, a.slaBreached])).toEqual([
      ["s1", 4, 0], // A B F G
      ["s2", 2, 1], // C E (E not yet due)
      [null, 1, 0], // D
    ]);
    expect(one.service!.byChannel.map((c) => [c.channel, c.tickets])).toEqual([["MINI_PROGRAM", 1], ["WECHAT_OA", 2], ["WECOM", 4]]);
    // Stored with the snapshot.
    expect((await getKpiSnapshot(tenant, { asOf: "2026-03-11" }))!.service).toEqual(one.service);
  });

  it("keeps the service facts through a checkpoint's encode and decode, and decodes older checkpoints without them", () => {
    const p = emptyKpiPartial();
    p.service = {
      tickets: [{ channel: "WECOM", assigneeStaffId: "s1", createdAt: 1, dueAt: 2, firstResponseAt: 3, firstResponseMs: 2, slaBreached: true, resolvedAt: null, resolutionMs: null }],
      surveys: [{ channel: "WECOM", assigneeStaffId: null, score: 9, answeredAt: 4 }],
    };
    expect(kpiJob.decode(JSON.parse(JSON.stringify(kpiJob.encode(p)))).service).toEqual(p.service);
    const old = kpiJob.encode(emptyKpiPartial()) as Record<string, unknown>;
    delete old.service;
    expect(kpiJob.decode(old).service).toEqual({ tickets: [], surveys: [] });
  });
});

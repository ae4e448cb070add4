import { recordEvent } from "@growth/core/event";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const RETENTION = `query R($period: CohortPeriod!, $basis: RetentionBasis!, $mode: RetentionMode, $asOf: Date) {
  cohortRetention(period: $period, basis: $basis, mode: $mode, asOf: $asOf) {
    period basis mode asOf computedAt timeZone members
    cohorts { start size cells { k retained rate complete } }
    average { k rate complete cohortsIncluded }
  }
}`;
const RUN = `mutation Run($asOf: Date) {
  runMetricsJob(job: RETENTION, asOf: $asOf) {
    runs { job variant asOf segments segmentsSkipped itemsRead milliseconds startedAt finishedAt summary }
  }
}`;

const by = { actor: "test" };
let tenant: string;

beforeAll(async () => {
  tenant = newTenantId("gqlret");
  // Shanghai times: m1 and m2 join in January, m3 in February.
  await createMember(tenant, { memberId: "m1", sourceChannel: "WEB", joinedAt: "2025-01-10T10:00:00+08:00" }, by);
  await createMember(tenant, { memberId: "m2", sourceChannel: "WEB", joinedAt: "2025-01-20T10:00:00+08:00" }, by);
  await createMember(tenant, { memberId: "m3", sourceChannel: "WEB", joinedAt: "2025-02-05T10:00:00+08:00" }, by);
  await recordOrder(tenant, { orderId: "o1", memberId: "m1", channel: "WEB", amount: 10, occurredAt: "2025-01-11T10:00:00+08:00" }, by);
  await recordOrder(tenant, { orderId: "o2", memberId: "m1", channel: "WEB", amount: 10, occurredAt: "2025-02-11T10:00:00+08:00" }, by);
  await recordOrder(tenant, { orderId: "o3", memberId: "m3", channel: "WEB", amount: 10, occurredAt: "2025-02-06T10:00:00+08:00" }, by);
  await recordEvent(tenant, { eventId: "e1", memberId: "m2", type: "VIEW", channel: "WEB", occurredAt: "2025-02-28T23:59:00+08:00" });
  await recordEvent(tenant, { eventId: "e2", memberId: "m2", type: "VIEW", channel: "WEB", occurredAt: "2025-03-01T00:00:00+08:00" }); // after as-of
});

describe("cohortRetention / runMetricsJob end to end", () => {
  it("is null before the job ran", async () => {
    const r = await executeOperation(RETENTION, { period: "MONTH", basis: "PURCHASE" }, { tenant, role: "ANALYST" });
    expect(r.errors).toBeUndefined();
    expect(r.data?.cohortRetention).toBeNull();
  });

  it("lets only administrators run jobs", async () => {
    const r = await executeOperation(RUN, { asOf: "2025-02-28" }, { tenant, role: "OPERATOR" });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("runs the retention job in-process and serves the matrices", async () => {
    const run = await executeOperation(RUN, { asOf: "2025-02-28" }, { tenant, role: "ADMIN" });
    expect(run.errors).toBeUndefined();
    const runs = run.data?.runMetricsJob.runs;
    expect(runs.map((x: { variant: string }) => x.variant)).toEqual(["WEEK", "MONTH"]);
    for (const x of runs) {
      // 3 members, 3 orders, 2 events: every item is read; the one after as-of is then ignored.
      expect(x).toMatchObject({ job: "RETENTION", asOf: "2025-02-28", segments: 1, segmentsSkipped: 0, itemsRead: 8 });
      expect(x.summary).toMatch(/3 members/);
    }

    const month = await executeOperation(RETENTION, { period: "MONTH", basis: "ANY_ACTIVITY" }, { tenant, role: "ANALYST" });
    expect(month.errors).toBeUndefined();
    const m = month.data?.cohortRetention;
    expect(m).toMatchObject({ period: "MONTH", basis: "ANY_ACTIVITY", mode: "ON", asOf: "2025-02-28", timeZone: "Asia/Shanghai", members: 3 });
    expect(Date.parse(m.computedAt)).not.toBeNaN();
    // January (m1, m2): k0 m1's order; k1 m1's order and m2's event at 23:59 on Feb 28th. February
    // (m3): k0 its order. February ends with the as-of date, so every cell is complete.
    expect(m.cohorts).toEqual([
      { start: "2025-01-01", size: 2, cells: [{ k: 0, retained: 1, rate: 0.5, complete: true }, { k: 1, retained: 2, rate: 1, complete: true }] },
      { start: "2025-02-01", size: 1, cells: [{ k: 0, retained: 1, rate: 1, complete: true }] },
    ]);
    expect(m.average).toEqual([
      { k: 0, rate: 2 / 3, complete: true, cohortsIncluded: 2 },
      { k: 1, rate: 1, complete: true, cohortsIncluded: 1 },
    ]);

    const buyAfter = await executeOperation(RETENTION, { period: "MONTH", basis: "PURCHASE", mode: "ON_OR_AFTER", asOf: "2025-02-28" }, { tenant, role: "OPERATOR" });
    expect(buyAfter.data?.cohortRetention.cohorts[0].cells.map((c: { retained: number }) => c.retained)).toEqual([1, 1]);

    // Weekly: 2025-02-28 is a Friday, so the week of Mon 02-24 is still running.
    const week = await executeOperation(RETENTION, { period: "WEEK", basis: "ANY_ACTIVITY", asOf: "2025-02-28" }, { tenant, role: "ANALYST" });
    const cohorts = week.data?.cohortRetention.cohorts;
    expect(cohorts.map((c: { start: string }) => c.start)).toEqual(["2025-01-06", "2025-01-20", "2025-02-03"]);
    expect(cohorts.every((c: { cells: { complete: boolean }[] }) => c.cells.at(-1)!.complete === false)).toBe(true);

    // A rerun for the same date is idempotent: same matrix, a new computedAt.
    const again = await executeOperation(RUN, { asOf: "2025-02-28" }, { tenant, role: "ADMIN" });
    expect(again.errors).toBeUndefined();
    const after = await executeOperation(RETENTION, { period: "MONTH", basis: "ANY_ACTIVITY" }, { tenant, role: "ANALYST" });
    expect({ ...after.data?.cohortRetention, computedAt: "-" }).toEqual({ ...m, computedAt: "-" });
  });

  it("rejects a malformed date", async () => {
    const r = await executeOperation(RETENTION, { period: "MONTH", basis: "PURCHASE", asOf: "2025-02-30" }, { tenant, role: "ANALYST" });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

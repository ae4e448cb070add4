import { changeContentStatus, createContent, getContent } from "@growth/core/content";
import { checkpointedSegments, getRunRecord, jobKeys, runJob, runPartition, resolveContext, getJob } from "@growth/core/jobs";
import { createMember } from "@growth/core/member";
import { getRetention } from "@growth/core/metrics/retention";
import { recordOrder } from "@growth/core/order";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { failed, handler as finish } from "./finish.js";
import { handler as plan } from "./plan.js";
import { handler as segment } from "./segment.js";
import { handler as task } from "./task.js";

const by = { actor: "test" };

describe("job Lambdas (plan → segment × N → finish), as the state machine calls them", () => {
  it("computes the same snapshot as a local run and skips checkpointed segments on a retry", async () => {
    const tenantId = newTenantId("sfn");
    await createMember(tenantId, { memberId: "m1", sourceChannel: "WEB", joinedAt: "2025-01-10T10:00:00+08:00" }, by);
    await createMember(tenantId, { memberId: "m2", sourceChannel: "WEB", joinedAt: "2025-02-10T10:00:00+08:00" }, by);
    await recordOrder(tenantId, { orderId: "o1", memberId: "m1", channel: "WEB", amount: 10, occurredAt: "2025-02-11T10:00:00+08:00" }, by);

    const planned = await plan({ tenantId, job: "retention", params: { period: "month" }, asOf: "2025-02-28", segments: 3 });
    expect(planned).toEqual({ tenantId, job: "retention", params: { period: "MONTH" }, asOf: "2025-02-28", segments: 3, segmentList: [0, 1, 2] });
    const partition = jobKeys.runPartition(tenantId, "retention.MONTH", "2025-02-28", 3);
    expect(await getRunRecord(partition)).toMatchObject({ status: "RUNNING", attempts: 1 });

    const stats = await Promise.all(planned.segmentList.map((s) => segment({ ...planned, segment: s })));
    expect(stats.reduce((n, s) => n + s.itemsRead, 0)).toBe(3);
    expect(stats.every((s) => !s.skipped)).toBe(true);
    // A retried iteration finds its checkpoint and does not scan again.
    expect(await segment({ ...planned, segment: 1 })).toMatchObject({ segment: 1, skipped: true, itemsRead: stats[1]!.itemsRead });

    const result = await finish(planned);
    expect(result).toMatchObject({ jobId: "retention.MONTH", tenantId, asOf: "2025-02-28", segments: 3, itemsRead: 3 });
    expect(result.summary).toBe("monthly retention as of 2025-02-28: 2 members in 2 cohorts, 4 matrices written");
    expect(await getRunRecord(partition)).toMatchObject({ status: "SUCCEEDED", itemsRead: 3 });

    const cloud = await getRetention(tenantId, { period: "MONTH", basis: "PURCHASE", asOf: "2025-02-28" });
    await runJob("retention", { tenantId, asOf: "2025-02-28", params: { period: "MONTH" }, segments: 1, workers: 1 });
    const local = await getRetention(tenantId, { period: "MONTH", basis: "PURCHASE", asOf: "2025-02-28" });
    expect({ ...cloud, computedAt: "-" }).toEqual({ ...local, computedAt: "-" });
    expect(cloud?.cohorts.map((c) => c.cells.map((x) => x.retained))).toEqual([[0, 1], [0]]);
  });

  it("defaults as-of to yesterday, refuses a finish with missing segments, and records failures", async () => {
    const tenantId = newTenantId("sfn");
    const planned = await plan({ tenantId, job: "retention", params: { period: "WEEK" }, segments: 2 });
    expect(planned.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await segment({ ...planned, segment: 0 });
    await expect(finish(planned)).rejects.toThrow(/segment 1 of 2 has no checkpoint/);
    await failed({ ...planned, error: { Error: "States.TaskFailed", Cause: "segment 1 timed out" } });
    expect(await getRunRecord(jobKeys.runPartition(tenantId, "retention.WEEK", planned.asOf, 2))).toMatchObject({ status: "FAILED", error: "States.TaskFailed: segment 1 timed out" });
    await expect(plan({ tenantId, job: "nope" })).rejects.toThrow(/unknown job "nope"/);
    await expect(plan({ tenantId, job: "retention", params: { period: "DAY" } })).rejects.toThrow(/period must be WEEK or MONTH/);
  });

  it("plans a fresh run by deleting the day's checkpoints (hourly schedules)", async () => {
    const tenantId = newTenantId("sfn");
    await createMember(tenantId, { memberId: "m1", sourceChannel: "WEB", joinedAt: "2025-01-10T10:00:00+08:00" }, by);
    const planned = await plan({ tenantId, job: "retention", params: { period: "WEEK" }, asOf: "2025-02-28", segments: 2 });
    await segment({ ...planned, segment: 0 });
    await segment({ ...planned, segment: 1 });
    const ctx = await resolveContext(getJob("retention"), { tenantId, asOf: "2025-02-28", params: { period: "WEEK" } });
    expect([...(await checkpointedSegments(runPartition(ctx, 2))).keys()].sort()).toEqual([0, 1]);
    await plan({ tenantId, job: "retention", params: { period: "WEEK" }, asOf: "2025-02-28", segments: 2, fresh: true });
    expect((await checkpointedSegments(runPartition(ctx, 2))).size).toBe(0);
  });
});

describe("task Lambda", () => {
  it("runs a task for a tenant as an EventBridge rule sends it", async () => {
    const tenantId = newTenantId("task");
    await createContent(tenantId, { id: "p", title: "P", format: "POSTER", pyramidType: "INFO", mediaUrl: "https://cdn.example.com/p.png" }, by);
    await changeContentStatus(tenantId, "p", { status: "SCHEDULED", publishAt: new Date(Date.now() - 1000).toISOString() }, new Date(Date.now() - 60_000));
    expect(await task({ tenantId, task: "content-publish" })).toMatchObject({ task: "content-publish", tenantId, changed: true });
    expect((await getContent(tenantId, "p")).status).toBe("PUBLISHED");
    await expect(task({ tenantId, task: "nope" })).rejects.toThrow(/unknown task "nope"/);
  });
});

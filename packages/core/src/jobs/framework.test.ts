import { randomBytes } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../db/client.js";
import { recordEvent } from "../event/record.js";
import { createMember } from "../member/create.js";
import { recordOrder } from "../order/record.js";
import { actor, newTenantId } from "../test/tenant.js";
import { CHUNK_CHARS, checkpointedSegments, packPartial, readCheckpoint, unpackPartial, writeCheckpoint } from "./checkpoint.js";
import { defineJob } from "./job.js";
import { jobKeys } from "./keys.js";
import { getJob, jobNames } from "./registry.js";
import { runJob, workerEntry } from "./run.js";
import { scanSegment } from "./scan.js";

async function smallTenant(orders: number): Promise<string> {
  const tenantId = newTenantId("fw");
  await createMember(tenantId, { memberId: "m1", sourceChannel: "WEB", joinedAt: "2025-01-01T00:00:00Z" }, actor);
  for (let i = 0; i < orders; i++) await recordOrder(tenantId, { orderId: `o${i}`, memberId: "m1", channel: "WEB", amount: 10 + i, occurredAt: `2025-02-0${i + 1}T00:00:00Z` }, actor);
  await recordEvent(tenantId, { eventId: "e1", memberId: "m1", type: "CLICK", channel: "WEB", occurredAt: "2025-02-01T00:00:00Z" });
  return tenantId;
}

describe("scanSegment", () => {
  it("reads one tenant's items of the given kinds with only the projected attributes, across segments", async () => {
    const [a, b] = [await smallTenant(3), await smallTenant(2)];
    const seen: Record<string, unknown>[] = [];
    let scanned = 0;
    for (let segment = 0; segment < 3; segment++) {
      for await (const item of scanSegment({ tenantId: a, kinds: ["ORDER"], projection: ["amountMinor"], segment, totalSegments: 3, pageLimit: 7, onPage: (p) => (scanned += p.scanned) })) seen.push(item);
    }
    expect(seen.map((i) => i.amountMinor).sort()).toEqual([1000, 1100, 1200]);
    expect(seen.every((i) => Object.keys(i).sort().join() === "amountMinor,pk,sk" && String(i.pk).startsWith(`T#${a}#`))).toBe(true);
    expect(scanned).toBeGreaterThan(seen.length); // the filter runs after the read: other items are evaluated too
    const kinds: string[] = [];
    for await (const item of scanSegment({ tenantId: b, kinds: ["MEMBER", "EVENT"], projection: ["memberId"], segment: 0, totalSegments: 1 })) kinds.push(item.sk as string);
    expect(kinds.sort()).toEqual(["EVENT", "MEMBER"]);
  });
});

describe("checkpoints", () => {
  it("chunks large partials, round-trips them, and ignores an attempt whose chunks are not all there", async () => {
    const partition = jobKeys.runPartition(newTenantId("cp"), "test.X", "2025-01-31", 2);
    // ~600 KB of incompressible text: two chunks after gzip + base64.
    const encoded = { blob: randomBytes(450_000).toString("base64") };
    expect(packPartial(encoded).length).toBe(2);
    expect(unpackPartial(packPartial(encoded))).toEqual(encoded);
    expect(await writeCheckpoint(partition, { segment: 0, itemsRead: 5, itemsScanned: 9, ms: 1 }, encoded)).toMatchObject({ chunks: 2 });
    // Segment 1: a crash after the first of two chunks.
    await documentClient().send(
      new PutCommand({ TableName: tableName(), Item: { ...jobKeys.checkpoint(partition, 1, 0), segment: 1, attempt: "a_x", chunk: 0, chunks: 2, data: "H4sI", writtenAt: "2025-01-01T00:00:00Z", itemsRead: 1, itemsScanned: 1, ms: 1 } }),
    );
    const done = await checkpointedSegments(partition);
    expect([...done.keys()]).toEqual([0]);
    expect(done.get(0)).toEqual({ segment: 0, itemsRead: 5, itemsScanned: 9, ms: 1 });
    const back = await readCheckpoint(partition, 0);
    expect(back?.encoded).toEqual(encoded);
    expect(back?.chunks).toBe(2);
    expect(back!.bytes).toBeGreaterThan(CHUNK_CHARS);
    expect(await readCheckpoint(partition, 1)).toBeUndefined();
  });
});

describe("plugging in a job", () => {
  /** A job in ~15 lines: counts items per kind and sums order amounts, as exact mergeable sums. */
  const countJob = defineJob<Record<string, number>, Record<string, number>>({
    name: "test-count",
    description: "Items per kind and order total (test).",
    kinds: ["MEMBER", "ORDER", "EVENT"],
    projection: ["amountMinor"],
    init: () => ({}),
    add: (p, item) => {
      p[item.sk as string] = (p[item.sk as string] ?? 0) + 1;
      if (item.sk === "ORDER") p.amountMinor = (p.amountMinor ?? 0) + (item.amountMinor as number);
      return p;
    },
    merge: (a, b) => {
      for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
      return a;
    },
    encode: (p) => p,
    decode: (e) => ({ ...(e as Record<string, number>) }),
    finish: (p) => p,
    write: async () => {},
    summarize: (s) => JSON.stringify(s), // key order follows segment order; compare parsed
  });

  it("runs in-process with any segment count and gives the same result", async () => {
    const tenantId = await smallTenant(4);
    const one = await runJob(countJob, { tenantId, asOf: "2025-03-01", segments: 1, workers: 1 });
    const five = await runJob(countJob, { tenantId, asOf: "2025-03-01", segments: 5, workers: 1 });
    expect(one.snapshot).toEqual({ MEMBER: 1, ORDER: 4, EVENT: 1, amountMinor: 4600 });
    expect(five.snapshot).toEqual(one.snapshot);
    expect(JSON.parse(five.summary)).toEqual(one.snapshot);
    await expect(runJob(countJob, { tenantId, params: { x: 1 }, workers: 1 })).rejects.toThrow(/takes no parameters/);
    // Today (Shanghai) is not over yet: refused, so a snapshot never freezes a partial day.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await expect(runJob(countJob, { tenantId, asOf: today, workers: 1 })).rejects.toThrow(/asOf must be a day that is over in Asia\/Shanghai/);
  });

  it("refuses worker threads for a job that is not in the registry", async () => {
    await expect(runJob(countJob, { tenantId: newTenantId("fw"), asOf: "2025-03-01", segments: 2, workers: 2 })).rejects.toThrow(/not the registered one/);
  });

  it("has the registry and a TypeScript worker entry", () => {
    expect(jobNames()).toContain("retention");
    expect(() => getJob("nope")).toThrow(/unknown job "nope"/);
    const fromSource = workerEntry("file:///repo/packages/core/src/jobs/run.ts");
    expect(fromSource.eval).toBe(true);
    expect(String(fromSource.entry)).toContain("tsx.register()");
    expect(String(fromSource.entry)).toContain("file:///repo/packages/core/src/jobs/worker.ts");
    expect(workerEntry("file:///app/jobs/run.js")).toEqual({ entry: new URL("file:///app/jobs/worker.js"), eval: false });
  });
});

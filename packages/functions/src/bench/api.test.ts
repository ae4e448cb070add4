import { describe, expect, it } from "vitest";
import { bulkLoadDemoBrand } from "@growth/core/bench";
import { generateDemoBrand } from "@growth/core/demo";
import { countRequests, requestLevels } from "@growth/core/db/requests";
import { executeOperation } from "../graphql/server.js";
import { newTenantId } from "../test/tenant.js";
import { run } from "./cli.js";
import { parseApiBenchArgs, percentiles, countMix } from "./api.js";
import { prepareFixture } from "./api-fixture.js";
import { MIX } from "./api-mix.js";

describe("API benchmark: DynamoDB requests per operation of the mix", () => {
  it("makes exactly the minimum requests in the minimum dependent levels for every operation, as the direct-SDK baseline does", { timeout: 120_000 }, async () => {
    const tenantId = newTenantId("apib");
    await bulkLoadDemoBrand(tenantId, generateDemoBrand(11, 300));
    const { fixture, baseline } = await prepareFixture(tenantId, "t");
    const counts = await countMix(fixture, baseline);
    const table = Object.fromEntries(counts.map((c) => [c.op, { requests: c.requests, levels: c.levels, baseline: c.baselineRequests, baselineLevels: c.baselineLevels }]));
    // By hand from the access patterns (ARCHITECTURE.md), 4 list shards (the default).
    expect(table).toEqual({
      memberProfile: { requests: 2, levels: 1, baseline: 2, baselineLevels: 1 }, // member ‖ orders
      memberByIdentity: { requests: 2, levels: 2, baseline: 2, baselineLevels: 2 }, // identity → member
      membersByTier: { requests: 5, levels: 2, baseline: 5, baselineLevels: 2 }, // 4 shards → referrers
      ledgerPage: { requests: 2, levels: 1, baseline: 2, baselineLevels: 1 }, // member ‖ ledger
      recordOrder: { requests: 2, levels: 2, baseline: 2, baselineLevels: 2 }, // member + ACTIVITY → transaction
      redeemPoints: { requests: 2, levels: 2, baseline: 2, baselineLevels: 2 }, // transaction → member
      segmentList: { requests: 1, levels: 1, baseline: 1, baselineLevels: 1 },
      campaignScreen: { requests: 1, levels: 1, baseline: 1, baselineLevels: 1 }, // campaign + counter shards
    });
    for (const op of MIX) expect(table[op.name], op.name).toMatchObject({ requests: op.minimum.requests, levels: op.minimum.levels });
    expect(counts.find((c) => c.op === "recordOrder")!.byCommand).toEqual({ BatchGetItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(counts.find((c) => c.op === "campaignScreen")!.byCommand).toEqual({ BatchGetItemCommand: 1 });
  });

  it("keeps the prefetched pages equal to what the fields read on their own, and an unknown id or a campaign without results correct", async () => {
    const tenantId = newTenantId("apic");
    await bulkLoadDemoBrand(tenantId, generateDemoBrand(12, 30));
    const { fixture } = await prepareFixture(tenantId, "u");
    const id = fixture.profiles[0]!;
    const q = (query: string) => executeOperation(query, { id }, { tenant: tenantId });
    const both = await q(`query($id: ID!) { member(id: $id) { orders(first: 3) { edges { node { id } } pageInfo { endCursor } } points { balance ledger(first: 2) { edges { node { id } } } } } }`);
    // The same pages through a fragment and through the order's member (no prefetch: not a root member).
    const viaFragment = await q(`query($id: ID!) { member(id: $id) { ...F } } fragment F on Member { orders(first: 3) { edges { node { id } } pageInfo { endCursor } } points { balance ledger(first: 2) { edges { node { id } } } } }`);
    expect(both.errors).toBeUndefined();
    expect(viaFragment.data).toEqual(both.data);
    const orderId = both.data!.member.orders.edges[0].node.id as string;
    const viaOrder = await executeOperation(`query($o: ID!) { order(id: $o) { member { orders(first: 3) { edges { node { id } } pageInfo { endCursor } } } } }`, { o: orderId }, { tenant: tenantId });
    expect(viaOrder.data!.order.member.orders).toEqual(both.data!.member.orders);
    // Two aliased pages: each its own arguments.
    const aliased = await q(`query($id: ID!) { member(id: $id) { a: orders(first: 1) { edges { node { id } } } b: orders(first: 3) { edges { node { id } } } } }`);
    expect(aliased.data!.member.a.edges).toHaveLength(1);
    expect(aliased.data!.member.b.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(both.data!.member.orders.edges.map((e: { node: { id: string } }) => e.node.id));
    // An unknown member: null, and the prefetch costs its one query beside the member's read.
    // (Levels come from timings: the fewest of three tries, as countMix does.)
    const tries = [];
    for (let t = 0; t < 3; t++) tries.push(await countRequests(() => executeOperation(`{ member(id: "nobody") { orders(first: 5) { edges { node { id } } } } }`, {}, { tenant: tenantId }), { timings: true }));
    expect(tries[0]!.result.data).toEqual({ member: null });
    expect([tries[0]!.tally.total, Math.min(...tries.map((u) => requestLevels(u.tally.calls!)))]).toEqual([2, 1]);
    // A campaign without results asked: the item alone; an unknown campaign with results: null.
    const plain = await countRequests(() => executeOperation(`query($c: ID!) { campaign(id: $c) { id name } }`, { c: fixture.campaignId }, { tenant: tenantId }));
    expect([plain.result.data, plain.tally.total]).toEqual([{ campaign: { id: fixture.campaignId, name: "Bench autumn coupon" } }, 1]);
    expect((await executeOperation(`{ campaign(id: "nope") { id results { orders } } }`, {}, { tenant: tenantId })).data).toEqual({ campaign: null });
  });

  it("parses its flags, computes nearest-rank percentiles and dispatches from the bench CLI", async () => {
    expect(parseApiBenchArgs([], new Date("2026-12-01T10:00:00Z"))).toMatchObject({ members: 20_000, iterations: 200, duration: 10, concurrency: [1, 16, 64], coldRuns: 5 });
    expect(parseApiBenchArgs(["--soak", "600", "--concurrency", "32"])).toMatchObject({ soak: 600, concurrency: [32] });
    expect(parseApiBenchArgs(["--soak", "600"])).toMatchObject({ soak: 600, concurrency: [32] });
    expect(parseApiBenchArgs(["--soak", "600", "--concurrency", "1,2"])).toMatch(/one --concurrency/);
    expect(parseApiBenchArgs(["--concurrency", "1000"])).toMatch(/--concurrency/);
    expect(parseApiBenchArgs(["--members", "10"])).toMatch(/--members/);
    // 1..100: p50 = 50, p95 = 95, p99 = 99 (nearest rank); mean 50.5.
    expect(percentiles(Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ p50: 50, p95: 95, p99: 99, mean: 50.5 });
    const lines: string[] = [];
    expect(await run(["api", "--iterations", "x"], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(2);
    expect(lines.join("\n")).toContain("npm run bench -- api");
  });
});

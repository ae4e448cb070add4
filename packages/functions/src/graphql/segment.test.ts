import { countRequests } from "@growth/core/db";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const DAY = 86_400_000;
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field, message: r.errors?.[0]?.message });

const SEGMENT_FIELDS = `id name status ruleText applyTag size computedAt durationMs entered left stale version
  members(first: 10) { edges { node { id name } } pageInfo { hasNextPage } }
  sizeHistory(first: 10) { edges { node { version size entered left via } } }`;

async function brand(tenant: string) {
  const create = async (input: Record<string, unknown>) => {
    const r = await executeOperation(`mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }`, { input }, { tenant, role: "OPERATOR" });
    expect(r.errors).toBeUndefined();
    return r.data!.createMember.member.id as string;
  };
  const ann = await create({ name: "Ann", city: "Shanghai", sourceChannel: "MINI_PROGRAM", tags: ["coffee"], marketingConsent: true });
  const bob = await create({ name: "Bob", city: "Beijing", sourceChannel: "WECOM", identities: [{ channel: "WECOM", externalId: "wm-bob" }] });
  const cat = await create({ name: "Cat", city: "Shanghai", sourceChannel: "APP" });
  const order = (id: string, memberId: string, amount: number, days: number) =>
    executeOperation(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { duplicate } }`, { input: { id, memberId, channel: "APP", amount, occurredAt: ago(days) } }, { tenant });
  await order("a1", ann, 100, 3);
  await order("a2", ann, 50, 20);
  await order("b1", bob, 80, 10);
  await order("b2", bob, 80, 200);
  await executeOperation(`mutation($input: RecordEventInput!) { recordEvent(input: $input) { duplicate } }`, { input: { id: "c-view", memberId: cat, type: "VIEW", channel: "APP", occurredAt: ago(0), contentId: "c1" } }, { tenant });
  return { ann, bob, cat };
}

const PREVIEW = `query($rule: SegmentRuleInput!, $n: Int) { previewSegment(rule: $rule, sampleSize: $n) { count evaluated ruleText rule sample { id name } } }`;

describe("segments through GraphQL", () => {
  it("previews, saves, refreshes, lists and checks membership end to end", async () => {
    const tenant = newTenantId();
    const { ann, bob, cat } = await brand(tenant);

    const repeat = { condition: { field: "ORDER_COUNT", op: "GTE", value: 2, window: { inLastDays: 90 } } };
    const preview = await executeOperation(PREVIEW, { rule: repeat }, { tenant, role: "ANALYST" });
    expect(preview.errors).toBeUndefined();
    expect(preview.data!.previewSegment).toEqual({
      count: 1,
      evaluated: 3,
      ruleText: "ORDER_COUNT >= 2 in last 90 days",
      rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 2, window: { inLastDays: 90 } } },
      sample: [{ id: ann, name: "A**" }], // analysts see names masked
    });

    // Literals: numbers, text and booleans as SegmentValue; boolean nesting.
    const nested = await executeOperation(
      `{ previewSegment(rule: { any: [
          { all: [{ condition: { field: CITY, op: EQ, value: "shanghai" } }, { not: { condition: { field: MARKETING_CONSENT, op: EQ, value: true } } }] },
          { condition: { field: NET_SPEND, op: BETWEEN, values: [80, 80.5], window: { inLastDays: 30 } } },
          { condition: { field: HAS_IDENTITY_ON, op: ANY_OF, values: ["WECOM"] } }
        ] }, sampleSize: 5) { count sample { id } ruleText } }`,
      {},
      { tenant },
    );
    expect(nested.errors).toBeUndefined();
    // cat (Shanghai, no consent); bob (80 in the last 30 days, and a WeCom id).
    expect(nested.data!.previewSegment.count).toBe(2);
    expect(nested.data!.previewSegment.sample.map((m: { id: string }) => m.id).sort()).toEqual([bob, cat].sort());
    expect(nested.data!.previewSegment.ruleText).toBe('(CITY = "shanghai" AND NOT (MARKETING_CONSENT = true)) OR NET_SPEND between 80 and 80.5 in last 30 days OR HAS_IDENTITY_ON ANY OF ["WECOM"]');

    const created = await executeOperation(
      `mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { ${SEGMENT_FIELDS} } } }`,
      { input: { name: "Repeat buyers", rule: repeat, applyTag: "repeat" } },
      { tenant, role: "OPERATOR" },
    );
    expect(created.errors).toBeUndefined();
    const segment = created.data!.createSegment.segment;
    expect(segment).toMatchObject({ status: "ACTIVE", applyTag: "repeat", size: null, computedAt: null, stale: true, version: 0, members: { edges: [] }, sizeHistory: { edges: [] } });
    expect(errorOf(await executeOperation(`mutation { createSegment(input: { name: "x", rule: { condition: { field: TIER, op: EQ, value: "CORE" } } }) { segment { id } } }`, {}, { tenant, role: "ANALYST" }))).toMatchObject({ code: "FORBIDDEN" });

    const refreshed = await executeOperation(
      `mutation($id: ID!) { refreshSegment(input: { id: $id }) { applied size entered left tagsAdded tagsRemoved durationMs segment { ${SEGMENT_FIELDS} } } }`,
      { id: segment.id },
      { tenant, role: "OPERATOR" },
    );
    expect(refreshed.errors).toBeUndefined();
    const r = refreshed.data!.refreshSegment;
    expect(r).toMatchObject({ applied: true, size: 1, entered: 1, left: 0, tagsAdded: 1, tagsRemoved: 0 });
    expect(r.segment).toMatchObject({ size: 1, entered: 1, left: 0, stale: false, version: 1, members: { edges: [{ node: { id: ann, name: "Ann" } }], pageInfo: { hasNextPage: false } } });
    expect(r.segment.sizeHistory.edges.map((e: { node: unknown }) => e.node)).toEqual([{ version: 1, size: 1, entered: 1, left: 0, via: "REQUEST" }]);
    expect(r.segment.computedAt).toMatch(/^\d{4}-/);

    // Membership checks are one key read after the segment itself.
    const check = `query($s: ID!, $m: ID!) { isMemberInSegment(segmentId: $s, memberId: $m) }`;
    const { result: yes, tally } = await countRequests(() => executeOperation(check, { s: segment.id, m: ann }, { tenant, role: "ANALYST" }));
    expect(yes.data).toEqual({ isMemberInSegment: true });
    expect(tally.byCommand).toEqual({ GetItemCommand: 2 });
    expect((await executeOperation(check, { s: segment.id, m: bob }, { tenant })).data).toEqual({ isMemberInSegment: false });
    expect(errorOf(await executeOperation(check, { s: "seg_nope", m: bob }, { tenant }))).toMatchObject({ code: "NOT_FOUND" });

    const annView = await executeOperation(`query($id: ID!) { member(id: $id) { tags segments { id name } } }`, { id: ann }, { tenant });
    expect(annView.data!.member).toEqual({ tags: ["coffee", "repeat"], segments: [{ id: segment.id, name: "Repeat buyers" }] });

    // A new rule makes the segment stale until refreshed; bob enters (2 orders in 365 days).
    const updated = await executeOperation(
      `mutation($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment { stale size ruleText } } }`,
      { input: { id: segment.id, name: "Repeat buyers (year)", rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 2, window: { inLastDays: 365 } } } } },
      { tenant, role: "OPERATOR" },
    );
    expect(updated.data!.updateSegment.segment).toEqual({ stale: true, size: 1, ruleText: "ORDER_COUNT >= 2 in last 365 days" });
    const again = await executeOperation(`mutation($id: ID!) { refreshSegment(input: { id: $id }) { applied size entered left tagsAdded segment { stale members { edges { node { id } } } } } }`, { id: segment.id }, { tenant });
    expect(again.data!.refreshSegment).toMatchObject({ applied: true, size: 2, entered: 1, left: 0, tagsAdded: 1, segment: { stale: false } });

    const listed = await executeOperation(`{ segments(first: 5) { edges { node { name size } } } }`, {}, { tenant, role: "ANALYST" });
    expect(listed.data!.segments.edges).toEqual([{ node: { name: "Repeat buyers (year)", size: 2 } }]);

    const archived = await executeOperation(`mutation($id: ID!) { archiveSegment(input: { id: $id }) { segment { status } } }`, { id: segment.id }, { tenant, role: "OPERATOR" });
    expect(archived.data!.archiveSegment.segment.status).toBe("ARCHIVED");
    expect((await executeOperation(`{ segments { edges { node { id } } } archived: segments(status: ARCHIVED) { edges { node { id } } } }`, {}, { tenant })).data).toEqual({
      segments: { edges: [] },
      archived: { edges: [{ node: { id: segment.id } }] },
    });
    expect((await executeOperation(`query($id: ID!) { member(id: $id) { segments { id } } }`, { id: ann }, { tenant })).data!.member.segments).toEqual([]);
    expect(errorOf(await executeOperation(`mutation($id: ID!) { refreshSegment(input: { id: $id }) { applied } }`, { id: segment.id }, { tenant }))).toMatchObject({ code: "CONFLICT" });
  });

  it("rejects bad rules with BAD_USER_INPUT naming the path", async () => {
    const tenant = newTenantId();
    const cases: [unknown, string, string][] = [
      [{ all: [{ condition: { field: "TIER", op: "GT", value: "CORE" } }] }, "rule.all[0].condition.op", "GT is not valid for TIER; use EQ, NEQ, IN, NOT_IN"],
      [{ condition: { field: "ORDER_COUNT", op: "GTE" } }, "rule.condition.value", "GTE on ORDER_COUNT needs a value"],
      [{ condition: { field: "ORDER_COUNT", op: "GTE", value: "two" } }, "rule.condition.value", "whole number"],
      [{ all: [{ condition: { field: "CITY", op: "EQ", value: "x" } }], any: [{ condition: { field: "CITY", op: "EQ", value: "y" } }] }, "rule", "give exactly one of all, any, not or condition"],
      [{ not: { not: { not: { not: { not: { not: { condition: { field: "CITY", op: "IS_SET" } } } } } } } }, "rule.not.not.not.not.not.not", "at most 6 levels"],
      [{ any: Array.from({ length: 51 }, (_, i) => ({ condition: { field: "POINTS_BALANCE", op: "EQ", value: i } })) }, "rule.any[50].condition", "at most 50 conditions"],
      [{ condition: { field: "EVENT_COUNT", op: "GTE", value: 1, event: { type: "VIEW" } } }, "rule.condition.window", "needs a window"],
      [{ condition: { field: "NET_SPEND", op: "BETWEEN", values: [500, 100] } }, "rule.condition.values", "low bound is above"],
    ];
    for (const [rule, field, message] of cases) {
      const r = await executeOperation(PREVIEW, { rule }, { tenant });
      expect(r.data).toBeNull();
      expect(errorOf(r)).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(r.errors![0]!.message).toContain(message);
    }
    // On a saved segment the path starts at the input.
    const bad = await executeOperation(`mutation { createSegment(input: { name: "x", rule: { condition: { field: AGE, op: BETWEEN, values: [30] } } }) { segment { id } } }`, {}, { tenant });
    expect(errorOf(bad)).toEqual({ code: "BAD_USER_INPUT", field: "input.rule.condition.values", message: "input.rule.condition.values: BETWEEN needs exactly two values: [low, high] (both included)" });
    // Not a SegmentValue at all: refused by GraphQL before any resolver.
    const shape = await executeOperation(`{ previewSegment(rule: { condition: { field: CITY, op: EQ, value: { a: 1 } } }) { count } }`, {}, { tenant });
    expect(errorOf(shape).code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("sends brands above the synchronous limit to the job", async () => {
    const tenant = newTenantId();
    await brand(tenant);
    const created = await executeOperation(`mutation { createSegment(input: { name: "All", rule: { condition: { field: ORDER_COUNT, op: GTE, value: 0 } } }) { segment { id } } }`, {}, { tenant });
    const id = created.data!.createSegment.segment.id;
    process.env.SEGMENT_SYNC_MAX_MEMBERS = "2";
    try {
      const preview = await executeOperation(PREVIEW, { rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 0 } } }, { tenant });
      expect(errorOf(preview)).toMatchObject({ code: "BAD_USER_INPUT", field: "rule" });
      expect(preview.errors![0]!.message).toContain("previewSegment evaluates at most 2 members on a request and this brand has more: save the rule as a segment (createSegment) and refresh it with the segments job (npm run jobs -- segments");
      const refresh = await executeOperation(`mutation($id: ID!) { refreshSegment(input: { id: $id }) { applied } }`, { id }, { tenant });
      expect(refresh.errors![0]!.message).toContain("refreshSegment evaluates at most 2 members on a request and this brand has more: refresh it with the segments job");
    } finally {
      delete process.env.SEGMENT_SYNC_MAX_MEMBERS;
    }
    const ok = await executeOperation(`mutation($id: ID!) { refreshSegment(input: { id: $id }) { applied size } }`, { id }, { tenant });
    expect(ok.data!.refreshSegment).toEqual({ applied: true, size: 3 });
  });
});

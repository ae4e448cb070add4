import { countRequests } from "@growth/core/db";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field, message: r.errors?.[0]?.message });

const ITEM = `id title format pyramidType channels tags status publishAt publishedAt
  author { kind name member { id } createdBy }
  audienceSegment { id size }
  engagement { reach views clicks shares deliveries interactions interactingMembers interactionRate audienceReach audienceSize penetration conversions attributedRevenue { amount currency } }`;
const REFRESH = `mutation($id: ID!) { refreshSegment(input: { id: $id }) { size } }`;

const CREATE = `mutation($input: CreateContentInput!) { createContent(input: $input) { content { ${ITEM} } } }`;
const STATUS = `mutation($input: ChangeContentStatusInput!) { changeContentStatus(input: $input) { content { id status publishAt publishedAt } } }`;
const LIST = `query($filter: ContentFilter, $first: Int, $after: String) { contents(filter: $filter, first: $first, after: $after) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }`;

async function ok<T = Record<string, any>>(p: Promise<{ data?: unknown; errors?: readonly unknown[] }>): Promise<T> {
  const r = await p;
  expect(r.errors).toBeUndefined();
  return r.data as T;
}

describe("content through GraphQL", () => {
  it("creates, publishes, lists, counts engagement and penetration end to end", async () => {
    const tenant = newTenantId();
    const member = async (name: string, tags: string[] = []) =>
      (await ok(executeOperation(`mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }`, { input: { name, sourceChannel: "WECHAT_OA", tags } }, { tenant }))).createMember.member.id as string;
    const [ann, bob, cat] = [await member("Ann", ["latte"]), await member("Bob", ["latte"]), await member("Cat")];
    const seg = await ok(executeOperation(`mutation { createSegment(input: { name: "Latte fans", rule: { condition: { field: HAS_TAG, op: ANY_OF, values: ["latte"] } } }) { segment { id } } }`, {}, { tenant }));
    const segmentId = seg.createSegment.segment.id as string;
    await ok(executeOperation(REFRESH, { id: segmentId }, { tenant }));

    const created = await ok(
      executeOperation(CREATE, { input: { id: "latte-guide", title: "Latte guide", body: "…", format: "ARTICLE", pyramidType: "VALUE", channels: ["WECHAT_OA"], tags: ["coffee"], author: { kind: "BRAND", name: "Barista Li" }, audienceSegmentId: segmentId } }, { tenant, role: "OPERATOR", sub: "op-1" }),
    );
    expect(created.createContent.content).toMatchObject({
      id: "latte-guide",
      status: "DRAFT",
      author: { kind: "BRAND", name: "Barista Li", member: null, createdBy: "op-1" },
      audienceSegment: { id: segmentId, size: 2 },
      // Penetration is counted when the audience is next refreshed.
      engagement: { reach: 0, interactionRate: null, audienceReach: null, audienceSize: null, penetration: null, conversions: 0, attributedRevenue: { amount: 0, currency: "CNY" } },
    });
    const ugc = await ok(executeOperation(CREATE, { input: { title: "My morning cup", format: "IMAGE", pyramidType: "EMOTIONAL", mediaUrl: "https://cdn.example.com/cup.jpg", author: { kind: "MEMBER", memberId: cat } } }, { tenant }));
    const ugcId = ugc.createContent.content.id as string;
    expect(ugc.createContent.content.author).toMatchObject({ kind: "MEMBER", member: { id: cat } });
    const mine = await ok(executeOperation(`query($id: ID!) { member(id: $id) { contents(first: 5) { edges { node { id author { kind } } } } } }`, { id: cat }, { tenant }));
    expect(mine.member.contents.edges).toEqual([{ node: { id: ugcId, author: { kind: "MEMBER" } } }]);

    await ok(executeOperation(STATUS, { input: { id: "latte-guide", status: "PUBLISHED" } }, { tenant }));
    const future = iso(Date.now() + 30 * MIN);
    const scheduled = await ok(executeOperation(STATUS, { input: { id: ugcId, status: "SCHEDULED", publishAt: future } }, { tenant }));
    expect(scheduled.changeContentStatus.content).toMatchObject({ status: "SCHEDULED", publishAt: future, publishedAt: null });

    // Engagement from events and an attributed order. Ann: view, view, share; Bob: view; Cat (not in the audience): click.
    let n = 0;
    const event = (memberId: string, type: string) =>
      ok(executeOperation(`mutation($input: RecordEventInput!) { recordEvent(input: $input) { duplicate } }`, { input: { id: `ev-${++n}`, memberId, type, channel: "WECHAT_OA", occurredAt: iso(Date.now() - MIN), contentId: "latte-guide" } }, { tenant }));
    for (const [m, type] of [[ann, "VIEW"], [ann, "VIEW"], [ann, "SHARE"], [bob, "VIEW"], [cat, "CLICK"]] as const) await event(m, type);
    const order = await ok(executeOperation(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id contentId } } }`, { input: { id: "o-1", memberId: ann, channel: "MINI_PROGRAM", amount: 36.9, occurredAt: iso(Date.now() - MIN), contentId: "latte-guide" } }, { tenant }));
    expect(order.recordOrder.order).toEqual({ id: "o-1", contentId: "latte-guide" });
    await ok(executeOperation(REFRESH, { id: segmentId }, { tenant }));
    const read = await ok(executeOperation(`query { content(id: "latte-guide") { ${ITEM} } }`, {}, { tenant, role: "ANALYST" }));
    // reach 3 (Ann, Bob, Cat); interactions 2 (share, click) → rate 2/3; audience (Ann, Bob) reached 2 of 2 → penetration 1.
    expect(read.content.engagement).toEqual({
      reach: 3, views: 3, clicks: 1, shares: 1, deliveries: 0, interactions: 2, interactingMembers: 2, interactionRate: 2 / 3,
      audienceReach: 2, audienceSize: 2, penetration: 1, conversions: 1, attributedRevenue: { amount: 36.9, currency: "CNY" },
    });

    // Lists and the pyramid.
    const published = await ok(executeOperation(LIST, { filter: { status: "PUBLISHED" } }, { tenant }));
    expect(published.contents.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(["latte-guide"]);
    const all = await ok(executeOperation(LIST, { first: 1 }, { tenant }));
    expect(all.contents.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ugcId]); // scheduled later: newest
    const next = await ok(executeOperation(LIST, { first: 1, after: all.contents.pageInfo.endCursor }, { tenant }));
    expect(next.contents.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(["latte-guide"]);
    const pyramid = await ok(executeOperation(`{ contentPyramid { pyramidType live drafts scheduled published archived ugc ugcPublished } }`, {}, { tenant }));
    expect(pyramid.contentPyramid).toEqual([
      { pyramidType: "INFO", live: 0, drafts: 0, scheduled: 0, published: 0, archived: 0, ugc: 0, ugcPublished: 0 },
      { pyramidType: "INTERACTIVE", live: 0, drafts: 0, scheduled: 0, published: 0, archived: 0, ugc: 0, ugcPublished: 0 },
      { pyramidType: "VALUE", live: 1, drafts: 0, scheduled: 0, published: 1, archived: 0, ugc: 0, ugcPublished: 0 },
      { pyramidType: "EMOTIONAL", live: 1, drafts: 0, scheduled: 1, published: 0, archived: 0, ugc: 1, ugcPublished: 0 },
    ]);
    const publisher = await ok(executeOperation(`mutation { publishDueContent { due published contents { id } } }`, {}, { tenant }));
    expect(publisher.publishDueContent).toEqual({ due: 0, published: 0, contents: [] });

    // A page of items with their engagement: one Query per list part, one BatchGet of items,
    // one BatchGet of counter shards and audience counts, one of audience segments (no N+1).
    const { tally } = await countRequests(() => ok(executeOperation(`{ contents(first: 20) { edges { node { id engagement { reach penetration } } } } }`, {}, { tenant })));
    expect(tally.byCommand).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
    const withSegments = await countRequests(() => ok(executeOperation(`{ contents(first: 20) { edges { node { id audienceSegment { name } engagement { reach penetration } } } } }`, {}, { tenant })));
    // (one audience segment on the page: a batch of one key is a GetItem)
    expect(withSegments.tally.byCommand).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2, GetItemCommand: 1 });
  });

  it("refuses bad input, invalid transitions and callers without the permission", async () => {
    const tenant = newTenantId();
    await ok(executeOperation(CREATE, { input: { id: "v1", title: "Video", format: "SHORT_VIDEO", pyramidType: "INFO" } }, { tenant }));
    expect(errorOf(await executeOperation(STATUS, { input: { id: "v1", status: "PUBLISHED" } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "mediaUrl" });
    await ok(executeOperation(`mutation { updateContent(input: { id: "v1", mediaUrl: "https://cdn.example.com/v1.mp4" }) { content { id } } }`, {}, { tenant }));
    await ok(executeOperation(STATUS, { input: { id: "v1", status: "PUBLISHED" } }, { tenant }));
    expect(errorOf(await executeOperation(STATUS, { input: { id: "v1", status: "DRAFT" } }, { tenant }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.status",
      message: "content v1 is PUBLISHED: it can move to ARCHIVED, not DRAFT",
    });
    expect(errorOf(await executeOperation(STATUS, { input: { id: "v1", status: "SCHEDULED", publishAt: "tomorrow" } }, { tenant })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await executeOperation(STATUS, { input: { id: "nope", status: "ARCHIVED" } }, { tenant })).code).toBe("NOT_FOUND");
    expect(errorOf(await executeOperation(CREATE, { input: { id: "v1", title: "again", format: "IMAGE", pyramidType: "INFO" } }, { tenant })).code).toBe("CONFLICT");
    expect(errorOf(await executeOperation(CREATE, { input: { title: "x".repeat(201), format: "IMAGE", pyramidType: "INFO" } }, { tenant }))).toMatchObject({ code: "BAD_USER_INPUT", field: "input.title" });
    expect(errorOf(await executeOperation(CREATE, { input: { title: "x", format: "BLOG", pyramidType: "INFO" } }, { tenant })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await executeOperation(CREATE, { input: { title: "x", format: "IMAGE", pyramidType: "INFO" } }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(LIST, { after: "forged.cursor" }, { tenant })).code).toBe("BAD_USER_INPUT");
    // Another tenant sees nothing of it.
    const other = await ok(executeOperation(`{ content(id: "v1") { id } contents { edges { node { id } } } }`, {}, { tenant: newTenantId() }));
    expect(other).toEqual({ content: null, contents: { edges: [] } });
  });
});

import { describe, expect, it } from "vitest";
import { recordEvent } from "../event/record.js";
import { createMember } from "../member/create.js";
import { eraseMember } from "../member/erase.js";
import { changeTags } from "../member/tags.js";
import { recordOrder } from "../order/record.js";
import { recordRefund } from "../order/refund.js";
import { createSegment, refreshSegment } from "../segment/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { changeContentStatus, contentPyramid, createContent, ERASED_TITLE, getContent, getEngagements, listContents, publishDueContent, updateContent, type ContentFilter } from "./index.js";

const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function member(t: string, name: string, extra: Record<string, unknown> = {}) {
  return (await createMember(t, { name, sourceChannel: "APP", ...extra }, actor)).memberId;
}

async function allIds(t: string, filter: ContentFilter, first = 2, now?: Date): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await listContents(t, filter, { first, after }, now);
    ids.push(...page.items.map((c) => c.contentId));
    if (!page.hasNextPage) return ids;
    after = page.endCursor;
  }
  throw new Error("paging did not end");
}

describe("content items", () => {
  it("creates, updates and validates items", async () => {
    const t = newTenantId();
    const c = await createContent(t, { id: "latte-guide", title: " Latte guide ", body: "Steam the milk…", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA", "WECHAT_OA", "MINI_PROGRAM"], tags: ["coffee"] }, actor);
    expect(c).toMatchObject({ contentId: "latte-guide", title: "Latte guide", status: "DRAFT", channels: ["WECHAT_OA", "MINI_PROGRAM"], authorKind: "BRAND", revision: 1 });
    expect(await code(createContent(t, { id: "latte-guide", title: "again", format: "ARTICLE", pyramidType: "INFO" }, actor))).toBe("CONFLICT");
    expect(await code(createContent(t, { title: "x", format: "BLOG", pyramidType: "INFO" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "INFO", mediaUrl: "javascript:alert(1)" }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "INFO", tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "INFO", author: { kind: "MEMBER" } }, actor))).toBe("BAD_USER_INPUT");
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "INFO", author: { kind: "MEMBER", memberId: "nobody" } }, actor))).toBe("NOT_FOUND");
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "INFO", audienceSegmentId: "seg_missing" }, actor))).toBe("NOT_FOUND");
    expect(await code(createContent(t, { title: "", format: "IMAGE", pyramidType: "INFO" }, actor))).toBe("BAD_USER_INPUT");

    const u = await updateContent(t, "latte-guide", { title: "Latte guide, 2nd ed.", tags: ["coffee", "milk"], pyramidType: "VALUE" });
    expect(u).toMatchObject({ title: "Latte guide, 2nd ed.", tags: ["coffee", "milk"], pyramidType: "VALUE", revision: 2 });
    expect((await getContent(t, "latte-guide")).title).toBe("Latte guide, 2nd ed.");
    expect(await code(getContent(t, "nope"))).toBe("NOT_FOUND");
    // The lists follow the change: the old tag list no longer has it, the new one does.
    expect(await allIds(t, { tag: "milk" })).toEqual(["latte-guide"]);
    expect(await allIds(t, { pyramidType: "INFO" })).toEqual([]);
    expect(await allIds(t, { pyramidType: "VALUE", tag: "coffee" })).toEqual(["latte-guide"]);
  });

  it("moves along the workflow with valid transitions only", async () => {
    const t = newTenantId();
    const now = Date.now();
    await createContent(t, { id: "p1", title: "Poster", format: "POSTER", pyramidType: "EMOTIONAL" }, actor);
    // Not publishable without its media.
    expect(await code(changeContentStatus(t, "p1", { status: "PUBLISHED" }))).toBe("BAD_USER_INPUT");
    await updateContent(t, "p1", { mediaUrl: "https://cdn.example.com/p1.png" });
    expect(await code(changeContentStatus(t, "p1", { status: "SCHEDULED" }))).toBe("BAD_USER_INPUT"); // needs publishAt
    expect(await code(changeContentStatus(t, "p1", { status: "SCHEDULED", publishAt: iso(now - MIN) }))).toBe("BAD_USER_INPUT"); // past
    expect(await code(changeContentStatus(t, "p1", { status: "DRAFT" }))).toBe("BAD_USER_INPUT"); // same status
    expect(await code(changeContentStatus(t, "p1", { status: "LIVE" }))).toBe("BAD_USER_INPUT");
    const s = await changeContentStatus(t, "p1", { status: "SCHEDULED", publishAt: iso(now + 60 * MIN) });
    expect(s).toMatchObject({ status: "SCHEDULED", publishAt: iso(now + 60 * MIN) });
    const back = await changeContentStatus(t, "p1", { status: "DRAFT" });
    expect(back.publishAt).toBeUndefined();
    const pub = await changeContentStatus(t, "p1", { status: "PUBLISHED" });
    expect(pub.status).toBe("PUBLISHED");
    expect(await code(changeContentStatus(t, "p1", { status: "DRAFT" }))).toBe("BAD_USER_INPUT"); // published is never unpublished
    expect(await code(changeContentStatus(t, "p1", { status: "SCHEDULED", publishAt: iso(now + MIN) }))).toBe("BAD_USER_INPUT");
    const arch = await changeContentStatus(t, "p1", { status: "ARCHIVED" });
    expect(arch.status).toBe("ARCHIVED");
    expect(await code(updateContent(t, "p1", { title: "new" }))).toBe("CONFLICT");
    expect(await code(changeContentStatus(t, "p1", { status: "PUBLISHED" }))).toBe("BAD_USER_INPUT");
    expect((await changeContentStatus(t, "p1", { status: "DRAFT" })).status).toBe("DRAFT");
    expect(await code(changeContentStatus(t, "missing", { status: "PUBLISHED" }))).toBe("NOT_FOUND");
  });

  it("publishes scheduled items when their time comes, never early", async () => {
    const t = newTenantId();
    const now = Date.now();
    for (const [id, at] of [["soon", now + 2 * MIN], ["later", now + 90 * MIN]] as const) {
      await createContent(t, { id, title: id, format: "SHORT_VIDEO", pyramidType: "VALUE", mediaUrl: `https://cdn.example.com/${id}.mp4`, tags: ["v"] }, actor);
      await changeContentStatus(t, id, { status: "SCHEDULED", publishAt: iso(at) });
    }
    // Before its time: scheduled everywhere.
    expect((await getContent(t, "soon")).status).toBe("SCHEDULED");
    expect(await allIds(t, { status: "PUBLISHED" })).toEqual([]);
    expect(await allIds(t, { status: "SCHEDULED" })).toEqual(["later", "soon"]);
    // A reader three minutes later sees "soon" as published, before any job ran...
    const at3 = new Date(now + 3 * MIN);
    expect(await allIds(t, { status: "PUBLISHED" }, 2, at3)).toEqual(["soon"]);
    expect(await allIds(t, { status: "SCHEDULED", tag: "v" }, 2, at3)).toEqual(["later"]);
    // ...and the publisher flips exactly the due one, once.
    expect(await publishDueContent(t, new Date(now + MIN))).toEqual({ due: 0, published: 0, contentIds: [] });
    expect(await publishDueContent(t, at3)).toEqual({ due: 1, published: 1, contentIds: ["soon"] });
    expect(await publishDueContent(t, at3)).toEqual({ due: 0, published: 0, contentIds: [] });
    const soon = await getContent(t, "soon");
    expect(soon).toMatchObject({ status: "PUBLISHED", publishedAt: iso(now + 2 * MIN) });
    expect(soon.publishAt).toBeUndefined();
    expect(await allIds(t, { status: "PUBLISHED" })).toEqual(["soon"]);
    const pyramid = await contentPyramid(t);
    expect(pyramid.find((l) => l.pyramidType === "VALUE")!.byStatus).toEqual({ DRAFT: 0, SCHEDULED: 1, PUBLISHED: 1, ARCHIVED: 0 });
  });

  it("lists newest first under any combination of filters, paging through exactly", async () => {
    const t = newTenantId();
    const ugcAuthor = await member(t, "Ugo");
    const specs = [
      { id: "a", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA"], tags: ["coffee"], body: "b" },
      { id: "b", format: "IMAGE", pyramidType: "EMOTIONAL", channels: ["MINI_PROGRAM", "WECHAT_OA"], tags: ["coffee", "story"], mediaUrl: "https://x.example/b.jpg", author: { kind: "MEMBER", memberId: ugcAuthor } },
      { id: "c", format: "SHORT_VIDEO", pyramidType: "VALUE", channels: ["APP"], tags: ["tea"], mediaUrl: "https://x.example/c.mp4" },
      { id: "d", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA", "APP"], tags: [], body: "d" },
      { id: "e", format: "IMAGE", pyramidType: "EMOTIONAL", channels: ["MINI_PROGRAM"], tags: ["story"], mediaUrl: "https://x.example/e.jpg", author: { kind: "MEMBER", memberId: ugcAuthor } },
      { id: "f", format: "POSTER", pyramidType: "INTERACTIVE", channels: ["COMMUNITY_GROUP"], tags: ["coffee"], mediaUrl: "https://x.example/f.png" },
      { id: "g", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA"], tags: ["coffee"], body: "g" },
    ];
    for (const s of specs) await createContent(t, { title: s.id, ...s }, actor);
    for (const id of ["a", "b", "c", "e", "g"]) await changeContentStatus(t, id, { status: "PUBLISHED" });
    await changeContentStatus(t, "g", { status: "ARCHIVED" });
    // Sort position: published items by publish time (a, b, c, e, g in that order), drafts by creation.
    // Newest first overall: g(published last), e, c, b, a, then drafts f, d (created after a..c but before publishing).
    const all = await allIds(t, {}, 2);
    expect(all).toEqual(["g", "e", "c", "b", "a", "f", "d"]);
    // Every combination of filters equals a naive filter over the items.
    const items = new Map(specs.map((s) => [s.id, s]));
    const status = (id: string) => (id === "g" ? "ARCHIVED" : ["a", "b", "c", "e"].includes(id) ? "PUBLISHED" : "DRAFT");
    const filters: ContentFilter[] = [
      { status: "PUBLISHED" },
      { status: "DRAFT" },
      { tag: "coffee" },
      { tag: "coffee", status: "PUBLISHED" },
      { channel: "WECHAT_OA", format: "ARTICLE" },
      { channel: "MINI_PROGRAM", authorKind: "MEMBER", pyramidType: "EMOTIONAL" },
      { format: "IMAGE", tag: "story", status: "PUBLISHED" },
      { authorKind: "BRAND", status: "PUBLISHED" },
      { pyramidType: "INFO" },
      { tag: "nothing" },
    ];
    for (const f of filters) {
      const naive = all.filter((id) => {
        const s = items.get(id)!;
        return (
          (!f.status || status(id) === f.status) &&
          (!f.format || s.format === f.format) &&
          (!f.pyramidType || s.pyramidType === f.pyramidType) &&
          (!f.channel || s.channels.includes(f.channel)) &&
          (!f.tag || s.tags.includes(f.tag)) &&
          (!f.authorKind || (s.author?.kind ?? "BRAND") === f.authorKind)
        );
      });
      for (const first of [1, 2, 10]) expect(await allIds(t, f, first), JSON.stringify({ f, first })).toEqual(naive);
    }
    // A cursor belongs to its filter and tenant.
    const page = await listContents(t, { tag: "coffee" }, { first: 1 });
    expect(await code(listContents(t, { tag: "tea" }, { first: 1, after: page.endCursor }))).toBe("BAD_USER_INPUT");
    expect(await code(listContents(newTenantId(), { tag: "coffee" }, { first: 1, after: page.endCursor }))).toBe("BAD_USER_INPUT");
    expect(await code(listContents(t, { format: "BLOG" }, {}))).toBe("BAD_USER_INPUT");
    // The pyramid: UGC per pyramid type.
    const pyramid = Object.fromEntries((await contentPyramid(t)).map((l) => [l.pyramidType, l]));
    expect(pyramid.EMOTIONAL).toMatchObject({ live: 2, ugc: 2, ugcPublished: 2, byStatus: { DRAFT: 0, SCHEDULED: 0, PUBLISHED: 2, ARCHIVED: 0 } });
    expect(pyramid.INFO).toMatchObject({ live: 2, ugc: 0, ugcPublished: 0, byStatus: { DRAFT: 1, SCHEDULED: 0, PUBLISHED: 1, ARCHIVED: 1 } });
    expect(pyramid.INTERACTIVE).toMatchObject({ live: 1, ugc: 0 });
    expect(pyramid.VALUE).toMatchObject({ live: 1, ugc: 0, byStatus: { PUBLISHED: 1 } });
  });
});

describe("UGC", () => {
  it("lists a member's own posts, keeps their name out of the item, and empties them on erasure", async () => {
    const t = newTenantId();
    const [ann, bob] = [await member(t, "Ann"), await member(t, "Bob")];
    expect(await code(createContent(t, { title: "x", format: "IMAGE", pyramidType: "EMOTIONAL", author: { kind: "MEMBER", memberId: ann, name: "Ann Li" } }, actor))).toBe("BAD_USER_INPUT");
    for (const [id, who] of [["a1", ann], ["b1", bob], ["a2", ann]] as const) {
      await createContent(t, { id, title: `post ${id}`, body: "my latte art", mediaUrl: `https://cdn.example.com/${id}.jpg`, format: "IMAGE", pyramidType: "EMOTIONAL", author: { kind: "MEMBER", memberId: who } }, actor);
    }
    await changeContentStatus(t, "a1", { status: "PUBLISHED" });
    expect(await allIds(t, { authorMemberId: ann }, 1)).toEqual(["a1", "a2"]); // a1 published after a2 was created
    expect(await allIds(t, { authorMemberId: ann, status: "DRAFT" })).toEqual(["a2"]);
    expect(await allIds(t, { authorMemberId: bob })).toEqual(["b1"]);
    await eraseMember(t, ann, actor);
    for (const id of ["a1", "a2"]) {
      const c = await getContent(t, id);
      expect(c).toMatchObject({ title: ERASED_TITLE, status: "ARCHIVED", authorErased: true });
      expect(c.body).toBeUndefined();
      expect(c.mediaUrl).toBeUndefined();
    }
    expect((await getContent(t, "b1")).title).toBe("post b1");
    expect(await allIds(t, { status: "PUBLISHED" })).toEqual([]);
    const emotional = (await contentPyramid(t)).find((l) => l.pyramidType === "EMOTIONAL")!;
    expect(emotional).toMatchObject({ ugc: 1, ugcPublished: 0, byStatus: { DRAFT: 1, SCHEDULED: 0, PUBLISHED: 0, ARCHIVED: 2 } });
  });
});

describe("content engagement", () => {
  it("counts reach once per member, interactions, conversions and penetration exactly", async () => {
    const t = newTenantId();
    const now = Date.now();
    const [ann, bob, cat, dan] = [await member(t, "Ann", { tags: ["fans"] }), await member(t, "Bob", { tags: ["fans"] }), await member(t, "Cat"), await member(t, "Dan", { tags: ["fans"] })];
    const fay = await member(t, "Fay", { tags: ["fans"] });
    const fans = await createSegment(t, { name: "Fans", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["fans"] } } }, actor);
    await refreshSegment(t, fans.segmentId); // size 4: Ann, Bob, Dan, Fay
    await createContent(t, { id: "live-1", title: "Live", format: "LIVE_STREAM", pyramidType: "INTERACTIVE", mediaUrl: "https://live.example/1", audienceSegmentId: fans.segmentId }, actor);
    let n = 0;
    const ev = (memberId: string, type: string, contentId = "live-1") =>
      recordEvent(t, { eventId: `e${++n}`, memberId, type, channel: "LIVE", occurredAt: iso(now - 60 * MIN + n * 1000), contentId });
    await ev(ann, "MESSAGE_DELIVERED");
    await ev(ann, "VIEW");
    await ev(ann, "VIEW");
    await ev(ann, "CLICK");
    await ev(ann, "SHARE");
    await ev(bob, "VIEW");
    await ev(cat, "VIEW"); // reached, but not in the audience
    await ev(cat, "ADD_TO_CART");
    await ev(dan, "MESSAGE_DELIVERED");
    await ev(bob, "VIEW", "other-page"); // not a content item: no counters anywhere
    // The same event twice counts once.
    await recordEvent(t, { eventId: "e2", memberId: ann, type: "VIEW", channel: "LIVE", occurredAt: iso(now - 60 * MIN + 2000), contentId: "live-1" });
    // Concurrent first events of one member: still one reach.
    const eve = await member(t, "Eve");
    await Promise.all(Array.from({ length: 6 }, (_, i) => recordEvent(t, { eventId: `eve-${i}`, memberId: eve, type: i % 2 ? "CLICK" : "VIEW", channel: "APP", occurredAt: iso(now - 10 * MIN), contentId: "live-1" })));
    // Orders attributed to the item, and a refund of one.
    await recordOrder(t, { orderId: "o1", memberId: ann, channel: "LIVE", amount: 120.5, occurredAt: iso(now - 30 * MIN), contentId: "live-1" }, actor);
    await recordOrder(t, { orderId: "o2", memberId: cat, channel: "LIVE", amount: 80, occurredAt: iso(now - 20 * MIN), contentId: "live-1" }, actor);
    await recordOrder(t, { orderId: "o2", memberId: cat, channel: "LIVE", amount: 80, occurredAt: iso(now - 20 * MIN), contentId: "live-1" }, actor); // duplicate
    await recordRefund(t, { refundId: "r1", orderId: "o2", amount: 30, occurredAt: iso(now - 5 * MIN) }, actor);
    expect(await code(recordOrder(t, { orderId: "o3", memberId: cat, channel: "APP", amount: 5, occurredAt: iso(now - MIN), contentId: "no-such-item" }, actor))).toBe("NOT_FOUND");

    const [e] = await getEngagements(t, ["live-1"]);
    // Hand count. Members with any event: Ann, Bob, Cat, Dan, Eve = 5.
    // Views: Ann 2, Bob 1, Cat 1, Eve 3 (i = 0, 2, 4) = 7. Clicks: Ann 1, Eve 3 = 4. Shares: Ann 1.
    // Deliveries: Ann, Dan = 2. Interactions (not view/delivery): Ann click+share 2, Cat cart 1, Eve clicks 3 = 6.
    // Interacting members: Ann, Cat, Eve = 3.
    // Conversions: o1, o2 = 2; revenue 120.50 + 80.00 = 20050 fen; refunded 3000 fen.
    expect(e).toMatchObject({ contentId: "live-1", reach: 5, views: 7, clicks: 4, shares: 1, deliveries: 2, interactions: 6, interactingMembers: 3, conversions: 2, revenueMinor: 20_050, refundedMinor: 3_000 });
    // Penetration is counted at the audience's refresh: none yet since the item was made for it.
    expect(e!.audience).toBeUndefined();
    const r1 = await refreshSegment(t, fans.segmentId);
    // Fans Ann, Bob, Dan, Fay (4); reached: Ann, Bob, Dan (3) → 3/4.
    expect((await getEngagements(t, ["live-1"]))[0]!.audience).toMatchObject({ segmentId: fans.segmentId, version: r1.version, size: 4, reached: 3 });
    // Bob leaves the audience and Fay is reached: the next refresh recounts against the new membership.
    await changeTags(t, bob, { remove: ["fans"] });
    await ev(fay, "VIEW");
    expect((await getEngagements(t, ["live-1"]))[0]!.audience).toMatchObject({ size: 4, reached: 3 }); // until the refresh
    const r2 = await refreshSegment(t, fans.segmentId);
    // Fans Ann, Dan, Fay (3), all reached.
    expect((await getEngagements(t, ["live-1"]))[0]).toMatchObject({ reach: 6, audience: { version: r2.version, size: 3, reached: 3 } });
    const [other] = await getEngagements(t, ["other-page"]);
    expect(other).toMatchObject({ reach: 0, views: 0 });
  });
});

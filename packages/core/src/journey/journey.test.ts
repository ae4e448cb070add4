import { describe, expect, it } from "vitest";
import { changeCampaignStatus, createCampaign } from "../campaign/index.js";
import { changeContentStatus } from "../content/status.js";
import { createContent } from "../content/store.js";
import { listMemberEvents, recordEvent } from "../event/record.js";
import { runJob } from "../jobs/run.js";
import { localDate } from "../jobs/periods.js";
import { createMember } from "../member/create.js";
import { setConsent } from "../member/consent.js";
import { setTier } from "../member/tier.js";
import { recordOrder } from "../order/record.js";
import { refreshSegment } from "../segment/refresh.js";
import { createSegment } from "../segment/store.js";
import { actor, newTenantId } from "../test/tenant.js";
import { journeysJob, type JourneysSnapshot } from "./job.js";
import { deliveryEventId, listMemberTouches, listOutbox, reportTouchDelivery, reportTouchFailure, reportTouchSent } from "./outbox.js";
import type { JourneyConfig } from "../campaign/types.js";

const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string }) => e.code ?? String(e));

async function brand() {
  const t = newTenantId();
  await createContent(t, { id: "hello", title: "Hello", format: "ARTICLE", pyramidType: "INFO", body: "Welcome aboard" }, actor);
  await changeContentStatus(t, "hello", { status: "PUBLISHED" });
  return t;
}

async function journey(t: string, id: string, config: Omit<JourneyConfig, "contentId" | "channel">, extra: Record<string, unknown> = {}) {
  await createCampaign(t, { id, name: id, type: "JOURNEY", config: { journey: { contentId: "hello", channel: "WECOM", ...config } }, ...extra } as never, actor);
  await changeCampaignStatus(t, id, "RUNNING");
}

const member = (t: string, id: string, fields: Record<string, unknown> = {}) =>
  createMember(t, { memberId: id, sourceChannel: "WECOM", marketingConsent: true, joinedAt: iso(Date.now() - 30 * D), ...fields } as never, actor);

const run = (t: string, at: number, segments = 1) =>
  runJob<JourneysSnapshot>(journeysJob, { tenantId: t, params: { at: iso(at) }, segments, workers: 1, fresh: true });

async function touches(t: string) {
  const page = await listOutbox(t, {}, { first: 100 });
  return page.items.map((x) => `${x.campaignId}:${x.memberId}`).sort();
}

describe("journeys job", () => {
  it("finds each trigger as of the run, only for consenting members, and a rerun adds nothing", async () => {
    const t = await brand();
    const now = Date.now();
    await journey(t, "welcome", { trigger: "JOINED" });
    await journey(t, "cart", { trigger: "CART_ABANDONED", afterHours: 2 });
    await journey(t, "first", { trigger: "FIRST_PURCHASE" });
    await journey(t, "loyal", { trigger: "TIER_CHANGED", toTier: "LOYAL" });
    // Joined an hour ago: welcome. Two days ago: too late for a welcome. No consent: never.
    await member(t, "new", { joinedAt: iso(now - H) });
    await member(t, "old-new", { joinedAt: iso(now - 2 * D) });
    await member(t, "no-consent", { joinedAt: iso(now - H), marketingConsent: false });
    // Carts: 3 h ago with no order since (abandoned), 3 h ago with an order after it, 1 h ago (not yet).
    for (const [id, cartAgo] of [["cart", 3 * H], ["cart-bought", 3 * H], ["cart-fresh", H]] as const) {
      await member(t, id, { joinedAt: iso(now - 40 * D) });
      await recordEvent(t, { eventId: `e-${id}`, memberId: id, type: "ADD_TO_CART", channel: "MINI_PROGRAM", occurredAt: iso(now - cartAgo) });
    }
    await recordOrder(t, { orderId: "o-cart-bought", memberId: "cart-bought", channel: "MINI_PROGRAM", amount: 99, occurredAt: iso(now - 2 * H) }, actor);
    // First order half an hour ago (this is also the cart-bought member's first order).
    await member(t, "first", { joinedAt: iso(now - 40 * D) });
    await recordOrder(t, { orderId: "o-first", memberId: "first", channel: "APP", amount: 10, occurredAt: iso(now - H / 2) }, actor);
    // Tier changed into LOYAL (and one into ACTIVE, not this journey's).
    await member(t, "loyal", { joinedAt: iso(now - 40 * D) });
    await member(t, "active", { joinedAt: iso(now - 40 * D) });
    await setTier(t, "loyal", "LOYAL", actor);
    await setTier(t, "active", "ACTIVE", actor);

    const at = Date.now() + 1000;
    const first = await run(t, at);
    expect(await touches(t)).toEqual(["cart:cart", "first:cart-bought", "first:first", "loyal:loyal", "welcome:new"]);
    expect(first.snapshot.facts.size).toBe(8); // every member but the one without consent
    const written = (r: typeof first) => Object.fromEntries(r.snapshot.campaigns.map((c) => [c.campaignId, c.outcomes.WRITTEN]));
    expect(written(first)).toEqual({ welcome: 1, cart: 1, first: 2, loyal: 1 });
    expect(first.summary).toContain("4 running journey(s)");

    const touch = (await listMemberTouches(t, "cart", {})).items;
    expect(touch).toHaveLength(1);
    expect(touch[0]).toMatchObject({ campaignId: "cart", memberId: "cart", channel: "WECOM", trigger: "CART_ABANDONED", occurrence: `CART_ABANDONED:${iso(now - 3 * H)}`, triggeredAt: iso(now - H), status: "PENDING", content: { contentId: "hello", title: "Hello", format: "ARTICLE", body: "Welcome aboard" } });

    // The same instant again, four segments, and a later instant: nothing new.
    const again = await run(t, at, 4);
    expect(written(again)).toEqual({ welcome: 0, cart: 0, first: 0, loyal: 0 });
    expect(again.snapshot.campaigns.reduce((n, c) => n + c.outcomes.DUPLICATE, 0)).toBe(5);
    expect([...again.snapshot.facts.entries()].sort()).toEqual([...first.snapshot.facts.entries()].sort());
    const later = await run(t, Date.now() + 1000, 4);
    expect(written(later)).toEqual({ welcome: 0, cart: 0, first: 0, loyal: 0 });
    expect(await touches(t)).toHaveLength(5);
  });

  it("finds birthdays and lapsed members on the local day (from 09:00 Shanghai), once", async () => {
    const t = await brand();
    await journey(t, "bday", { trigger: "BIRTHDAY" });
    await journey(t, "winback", { trigger: "INACTIVE", inactiveDays: 20 });
    // The run: 10:00 Shanghai of the latest day on which 13:00 has passed (the last run below is
    // at 13:00, and a job refuses an instant in the future).
    let day = localDate(Date.now(), "Asia/Shanghai");
    if (Date.parse(`${day}T10:00:00+08:00`) + 3 * H > Date.now()) day = localDate(Date.now() - D, "Asia/Shanghai");
    const at = Date.parse(`${day}T10:00:00+08:00`);
    await member(t, "bday", { birthday: `1992-${day.slice(5)}`, joinedAt: iso(at - 40 * D) });
    await member(t, "bday-tomorrow", { birthday: `1992-${localDate(at + D, "Asia/Shanghai").slice(5)}`, joinedAt: iso(at - 40 * D) });
    // Joined 21 days before at Shanghai noon, never active: 20 full days passed, fired at 09:00.
    await member(t, "lapsed", { joinedAt: iso(Date.parse(`${localDate(at - 21 * D, "Asia/Shanghai")}T12:00:00+08:00`)) });
    await member(t, "lapsed-not-yet", { joinedAt: iso(Date.parse(`${localDate(at - 20 * D, "Asia/Shanghai")}T12:00:00+08:00`)) });
    expect((await run(t, at - 2 * H)).snapshot.campaigns.map((c) => c.due)).toEqual([0, 0]); // 08:00: not yet
    const r = await run(t, at);
    expect(r.snapshot.campaigns.map((c) => [c.campaignId, c.outcomes.WRITTEN])).toEqual([["bday", 1], ["winback", 1]]);
    expect(await touches(t)).toEqual(["bday:bday", "winback:lapsed"]);
    const [greeting] = (await listMemberTouches(t, "bday", {})).items;
    expect(greeting).toMatchObject({ occurrence: `BIRTHDAY:${day.slice(0, 4)}`, triggeredAt: iso(at - H) });
    expect((await run(t, at + 3 * H)).snapshot.campaigns.map((c) => c.outcomes.DUPLICATE)).toEqual([1, 1]);
  });

  it("touches only members of the target segment, and checks consent again at write time", async () => {
    const t = await brand();
    const now = Date.now();
    const seg = await createSegment(t, { name: "Buyers", rule: { condition: { field: "ORDER_COUNT", op: "GTE", value: 1 } } }, actor);
    await journey(t, "welcome-buyers", { trigger: "JOINED" }, { targetSegmentId: seg.segmentId });
    for (const id of ["buyer", "browser", "withdrawn"]) await member(t, id, { joinedAt: iso(now - H) });
    for (const id of ["buyer", "withdrawn"]) await recordOrder(t, { orderId: `o-${id}`, memberId: id, channel: "APP", amount: 5, occurredAt: iso(now - H / 2) }, actor);
    // Before the segment is materialised the campaign sends nothing.
    expect((await run(t, Date.now())).snapshot.campaigns[0]).toMatchObject({ skipped: `segment ${seg.segmentId} has not been materialised` });
    await refreshSegment(t, seg.segmentId);
    await setConsent(t, "withdrawn", { kind: "MARKETING", granted: false, source: "WECOM" }, actor);
    const r = await run(t, Date.now() + 1000);
    expect(r.snapshot.campaigns[0]!.outcomes).toEqual({ WRITTEN: 1, DUPLICATE: 0, CAPPED: 0, NO_CONSENT: 0, NOT_IN_SEGMENT: 1 });
    expect(await touches(t)).toEqual(["welcome-buyers:buyer"]);
  });

  it("holds the frequency cap: 1 touch per 7 local days, two abandoned carts in a week → one touch", async () => {
    const t = await brand();
    const now = Date.now();
    await journey(t, "cart", { trigger: "CART_ABANDONED", afterHours: 1 }, { frequencyCap: { maxTouches: 1, periodDays: 7 } });
    await member(t, "m", { joinedAt: iso(now - 60 * D) });
    const cartAndRun = async (ago: number) => {
      await recordEvent(t, { eventId: `cart-${ago}`, memberId: "m", type: "ADD_TO_CART", channel: "APP", occurredAt: iso(now - ago) });
      return (await run(t, now - ago + 2 * H)).snapshot.campaigns[0]!.outcomes;
    };
    expect(await cartAndRun(20 * D)).toMatchObject({ WRITTEN: 1, CAPPED: 0 });
    expect(await cartAndRun(17 * D)).toMatchObject({ WRITTEN: 0, CAPPED: 1 }); // 3 days later: capped
    expect(await cartAndRun(12 * D)).toMatchObject({ WRITTEN: 1, CAPPED: 0 }); // 8 days after the first
    expect(await cartAndRun(12 * D)).toMatchObject({ WRITTEN: 0, DUPLICATE: 1 }); // the same cart again
    const list = (await listMemberTouches(t, "m", {})).items;
    expect(list.map((x) => x.occurrence)).toEqual([`CART_ABANDONED:${iso(now - 12 * D)}`, `CART_ABANDONED:${iso(now - 20 * D)}`]);
  });

  it("ignores paused journeys and unpublished content", async () => {
    const t = await brand();
    await createContent(t, { id: "draft", title: "Draft", format: "ARTICLE", pyramidType: "INFO" }, actor);
    await journey(t, "paused", { trigger: "JOINED" });
    await changeCampaignStatus(t, "paused", "PAUSED");
    await createCampaign(t, { id: "drafty", name: "drafty", type: "JOURNEY", config: { journey: { trigger: "JOINED", contentId: "draft", channel: "APP" } } } as never, actor);
    await changeCampaignStatus(t, "drafty", "RUNNING");
    await member(t, "m", { joinedAt: iso(Date.now() - H) });
    const r = await run(t, Date.now() + 1000);
    expect(r.snapshot.campaigns.map((c) => [c.campaignId, c.skipped])).toEqual([["drafty", "content draft is not published"]]);
    expect(await touches(t)).toEqual([]);
  });

  it("delivery report: DELIVERED and exactly one MESSAGE_DELIVERED event, however often it is reported", async () => {
    const t = await brand();
    await journey(t, "welcome", { trigger: "JOINED" });
    await member(t, "m", { joinedAt: iso(Date.now() - H) });
    await run(t, Date.now() + 1000);
    const [touch] = (await listOutbox(t, { campaignId: "welcome", status: "PENDING" }, {})).items;
    expect(touch).toBeDefined();
    const sentAt = iso(Date.now() - 60_000);
    expect(await reportTouchSent(t, { touchId: touch!.touchId, sentAt })).toMatchObject({ status: "SENT", sentAt });
    const deliveredAt = iso(Date.now() - 30_000);
    const reports = await Promise.all([0, 1, 2].map((i) => reportTouchDelivery(t, { touchId: touch!.touchId, deliveredAt: i === 0 ? deliveredAt : iso(Date.now() - 10_000) })));
    const stored = reports.map((r) => r.deliveredAt);
    expect(new Set(stored).size).toBe(1);
    expect(reports[0]).toMatchObject({ status: "DELIVERED", deliveryEventId: deliveryEventId(touch!.touchId) });
    const events = (await listMemberEvents(t, "m", {})).items.filter((e) => e.type === "MESSAGE_DELIVERED");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventId: `${touch!.touchId}.delivered`, campaignId: "welcome", contentId: "hello", channel: "WECOM", occurredAt: stored[0] });
    expect((await reportTouchDelivery(t, { touchId: touch!.touchId, deliveredAt })).deliveredAt).toBe(stored[0]);
    expect(await code(reportTouchFailure(t, { touchId: touch!.touchId, failedAt: deliveredAt, reason: "late bounce" }))).toBe("CONFLICT");
    expect(await code(reportTouchDelivery(t, { touchId: "tch_AAAAAAAAAAAAAAAAAAAAAA", deliveredAt }))).toBe("NOT_FOUND");
    expect(await code(reportTouchDelivery(newTenantId(), { touchId: touch!.touchId, deliveredAt }))).toBe("NOT_FOUND");
    expect((await listOutbox(t, { status: "PENDING" }, {})).items).toHaveLength(0);
    expect((await listOutbox(t, { status: "DELIVERED" }, {})).items.map((x) => x.touchId)).toEqual([touch!.touchId]);
    expect((await listOutbox(t, { campaignId: "welcome" }, {})).items.map((x) => x.status)).toEqual(["DELIVERED"]);
  });
});

import { describe, expect, it } from "vitest";
import { createMember, getMembers, type Member } from "../member/index.js";
import { listMemberOrders, recordOrder } from "../order/index.js";
import { recordEvent } from "../event/index.js";
import { normalisePhone } from "../shared/contact.js";
import { getStores } from "../store/index.js";
import { getSettings } from "../tenant/index.js";
import { newTenantId } from "../test/tenant.js";
import { getEngagements, listContents } from "../content/index.js";
import { getCampaignCounters } from "../campaign/results/index.js";
import { listCampaigns } from "../campaign/index.js";
import { CAMPAIGNS } from "./catalog.js";
import { listSegments } from "../segment/index.js";
import { DEFAULT_DEMO_MEMBERS, DEMO_ANCHOR, generateDemoBrand, isDemoLoaded, loadDemoBrand, type DemoMember, type DemoPlan } from "./index.js";

const minor = (yuan: number) => Math.round(yuan * 100);

/** What a member's stats must be after its part of the plan is written, computed from the plan alone. */
function expected(m: DemoMember, pointsPerUnit: number) {
  const gross = m.orders.reduce((s, o) => s + minor(o.amount), 0);
  const refunded = m.refunds.reduce((s, r) => s + minor(r.amount), 0);
  const earned = new Map(m.orders.map((o) => [o.orderId, Math.floor((minor(o.amount) * pointsPerUnit) / 100)]));
  const amount = new Map(m.orders.map((o) => [o.orderId, minor(o.amount)]));
  let points = [...earned.values()].reduce((s, p) => s + p, 0);
  // One refund per order at most: the points of the refunded share come back, rounded down.
  for (const r of m.refunds) points -= Math.floor((earned.get(r.orderId)! * minor(r.amount)) / amount.get(r.orderId)!);
  points -= m.redemptions.reduce((s, r) => s + r.points, 0);
  const times = m.orders.map((o) => o.occurredAt).sort();
  return {
    orderCount: m.orders.length,
    grossSpendMinor: gross,
    refundedMinor: refunded,
    pointsBalance: points,
    eventCount: m.events.length,
    ...(times.length > 0 ? { firstOrderAt: times[0], lastOrderAt: times.at(-1) } : {}),
  };
}

async function expectLoaded(tenantId: string, plan: DemoPlan): Promise<Member[]> {
  const { pointsPerUnit } = await getSettings(tenantId);
  const stored = await getMembers(tenantId, plan.members.map((m) => m.memberId));
  const referrals = new Map<string, number>();
  for (const m of plan.members) if (m.referrerId) referrals.set(m.referrerId, (referrals.get(m.referrerId) ?? 0) + 1);
  plan.members.forEach((m, i) => {
    const s = stored[i];
    expect(s, m.memberId).toBeDefined();
    expect(s, m.memberId).toMatchObject({
      ...expected(m, pointsPerUnit),
      tier: m.tier,
      joinedAt: m.joinedAt,
      sourceChannel: m.sourceChannel,
      referralCount: referrals.get(m.memberId) ?? 0,
      marketingConsent: m.consentChanges.find((c) => c.kind === "MARKETING")?.granted ?? m.marketingConsent,
      partnerSharingConsent: m.consentChanges.find((c) => c.kind === "PARTNER_SHARING")?.granted ?? m.partnerSharingConsent,
    });
    expect([...s!.tags].sort()).toEqual([...m.tags].sort());
    if (m.referrerId) expect(s!.referrerId).toBe(m.referrerId);
  });
  // Store totals come from the same transactions as the orders and refunds.
  const stores = await getStores(tenantId, plan.stores.map((s) => s.storeId));
  plan.stores.forEach((store, i) => {
    const orders = plan.members.flatMap((m) => m.orders.filter((o) => o.storeId === store.storeId));
    const ids = new Set(orders.map((o) => o.orderId));
    const refunded = plan.members.flatMap((m) => m.refunds.filter((r) => ids.has(r.orderId))).reduce((s, r) => s + minor(r.amount), 0);
    expect(stores[i], store.storeId).toMatchObject({ orderCount: orders.length, grossSalesMinor: orders.reduce((s, o) => s + minor(o.amount), 0), refundedMinor: refunded });
  });
  return stored as Member[];
}

describe("demo brand", () => {
  it("is the same plan for the same seed, and a different one for another seed", () => {
    const a = generateDemoBrand(7, 400);
    const b = generateDemoBrand(7, 400);
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(generateDemoBrand(8, 400).members[0]).not.toEqual(a.members[0]);
  });

  it("plans realistic, valid data for the default brand", () => {
    const plan = generateDemoBrand();
    expect(plan.members).toHaveLength(DEFAULT_DEMO_MEMBERS);
    expect(plan.stores.length).toBeGreaterThanOrEqual(8);
    expect(plan.totals.orders).toBeGreaterThan(2.5 * plan.members.length);
    expect(plan.totals.events).toBeGreaterThan(0.6 * plan.members.length);
    expect(plan.totals.refunds).toBeGreaterThan(0);
    expect(plan.totals.redemptions).toBeGreaterThan(0);
    const anchor = DEMO_ANCHOR;
    const phones = new Set<string>();
    const identities = new Set<string>();
    const index = new Map(plan.members.map((m, i) => [m.memberId, i]));
    const depth = (m: DemoMember): number => (m.referrerId ? 1 + depth(plan.members[index.get(m.referrerId)!]!) : 0);
    for (const [i, m] of plan.members.entries()) {
      if (m.phone) {
        expect(normalisePhone(m.phone)).toBe(m.phone);
        expect(phones.has(m.phone)).toBe(false);
        phones.add(m.phone);
      }
      for (const id of m.identities) {
        const key = `${id.channel}:${id.externalId}`;
        expect(identities.has(key)).toBe(false);
        identities.add(key);
      }
      expect(m.joinedAt < anchor).toBe(true);
      if (m.referrerId) expect(index.get(m.referrerId)!).toBeLessThan(i);
      for (const o of m.orders) {
        expect(o.occurredAt >= m.joinedAt && o.occurredAt < anchor).toBe(true);
        expect(Math.abs(o.amount * 100 - Math.round(o.amount * 100))).toBeLessThan(1e-6);
        expect(o.channel === "STORE").toBe(o.storeId !== undefined);
      }
      for (const e of m.events) expect(e.occurredAt < anchor).toBe(true);
      const kinds = m.consentChanges.map((c) => c.kind);
      expect(new Set(kinds).size).toBe(kinds.length);
    }
    const referred = plan.members.filter((m) => m.referrerId).length / plan.members.length;
    expect(referred).toBeGreaterThan(0.12);
    expect(referred).toBeLessThan(0.22);
    expect(Math.max(...plan.members.map(depth))).toBeGreaterThanOrEqual(3);
    // Heavy tail: many one-time buyers, a core of frequent ones.
    const counts = plan.members.map((m) => m.orders.length);
    expect(counts.filter((c) => c === 1).length).toBeGreaterThan(counts.filter((c) => c >= 2).length / 2);
    expect(counts.filter((c) => c >= 10).length).toBeGreaterThan(50);
    expect(plan.members.flatMap((m) => m.orders).filter((o) => o.storeId).length).toBeGreaterThan(plan.totals.orders * 0.3);
    // Some orders follow a click on content within a week: attributed to it (content conversions).
    expect(plan.members.flatMap((m) => m.orders).filter((o) => o.contentId).length).toBeGreaterThan(10);
  });

  it("loads through the domain so every stat matches the plan, and a second load changes nothing", { timeout: 240_000 }, async () => {
    const t = newTenantId("demo");
    const plan = generateDemoBrand(2026, 150);
    const first = await loadDemoBrand(t, { members: 150 });
    expect(first.written).toMatchObject({ members: 150, stores: plan.stores.length, orders: plan.totals.orders, refunds: plan.totals.refunds, events: plan.totals.events, redemptions: plan.totals.redemptions });
    expect(await getSettings(t)).toMatchObject({ name: "Demo Tea Co.", currency: "CNY", pointsPerUnit: 1, timeZone: "Asia/Shanghai" });
    expect(await isDemoLoaded(t, { members: 150 })).toBe(true);
    const before = await expectLoaded(t, plan);

    const second = await loadDemoBrand(t, { members: 150 });
    expect(second.written).toEqual({ members: 0, stores: 0, orders: 0, refunds: 0, events: 0, redemptions: 0, content: 0, campaigns: 0 });
    expect(second.skipped).toBe(150);
    const after = await expectLoaded(t, plan);
    expect(after.map((m) => m.version)).toEqual(before.map((m) => m.version));
    // Content: every item's counters equal a count over the plan's events and orders.
    expect(first.written.content).toBe(15);
    const contents = await listContents(t, {}, { first: 100 });
    expect(contents.items.map((c) => c.status).sort()).toEqual([...Array(12).fill("PUBLISHED"), "ARCHIVED", "DRAFT", "SCHEDULED"].sort());
    const engagement = await getEngagements(t, contents.items.map((c) => c.contentId));
    const events = plan.members.flatMap((m) => m.events.map((e) => ({ ...e, memberId: m.memberId })));
    const orders = plan.members.flatMap((m) => m.orders);
    contents.items.forEach((c, i) => {
      const on = events.filter((e) => e.contentId === c.contentId);
      const interactions = on.filter((e) => e.type !== "VIEW" && e.type !== "MESSAGE_DELIVERED");
      const attributed = orders.filter((o) => o.contentId === c.contentId);
      expect(engagement[i], c.contentId).toMatchObject({
        reach: new Set(on.map((e) => e.memberId)).size,
        views: on.filter((e) => e.type === "VIEW").length,
        clicks: on.filter((e) => e.type === "CLICK").length,
        shares: on.filter((e) => e.type === "SHARE").length,
        interactions: interactions.length,
        interactingMembers: new Set(interactions.map((e) => e.memberId)).size,
        conversions: attributed.length,
        revenueMinor: attributed.reduce((s, o) => s + minor(o.amount), 0),
      });
    });
    expect(engagement.reduce((s, e) => s + e.reach, 0)).toBeGreaterThan(0);
    expect(contents.items.find((c) => c.authorKind === "MEMBER")).toMatchObject({ contentId: "ct-ugc-latte-art", pyramidType: "EMOTIONAL" });
    expect((await listSegments(t, "ACTIVE", { first: 100 })).items).toHaveLength(6);
    // Campaigns: the history's seven ended, four running; each one's counters equal a count over the plan.
    expect(first.written.campaigns).toBe(11);
    const campaigns = (await listCampaigns(t, {}, { first: 100 })).items;
    expect(campaigns.map((c) => c.status).sort()).toEqual([...Array(7).fill("ENDED"), ...Array(4).fill("RUNNING")].sort());
    const counters = await getCampaignCounters(t, CAMPAIGNS.map((c) => c.id));
    CAMPAIGNS.forEach((c, i) => {
      // The loader writes a member's orders before its events, so attribution is the plan's own (EXPLICIT).
      const delivered = events.filter((e) => e.campaignId === c.id && e.type === "MESSAGE_DELIVERED");
      const attributed = plan.members.map((m) => ({ m, mine: m.orders.filter((o) => o.campaignId === c.id) }));
      const orders = attributed.flatMap((a) => a.mine);
      const ids = new Set(orders.map((o) => o.orderId));
      const firstOrders = plan.members.filter((m) => m.orders.length > 0 && [...m.orders].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1))[0]!.campaignId === c.id);
      expect(counters[i], c.id).toMatchObject({
        deliveries: delivered.length,
        exposedMembers: new Set(delivered.map((e) => e.memberId)).size,
        orders: orders.length,
        revenueMinor: orders.reduce((s, o) => s + minor(o.amount), 0),
        refundedMinor: plan.members.flatMap((m) => m.refunds).filter((r) => ids.has(r.orderId)).reduce((s, r) => s + minor(r.amount), 0),
        orderingMembers: attributed.filter((a) => a.mine.length >= 1).length,
        repeatMembers: attributed.filter((a) => a.mine.length >= 2).length,
        newCustomers: firstOrders.length,
      });
    });
    expect(counters.reduce((s, c) => s + c.orders, 0)).toBeGreaterThan(0);
    expect(counters.reduce((s, c) => s + c.costMinor, 0)).toBeGreaterThan(0);
    const busiest = plan.members.reduce((a, b) => (b.orders.length > a.orders.length ? b : a));
    const listed = await listMemberOrders(t, busiest.memberId, { first: 100 });
    expect(listed.items.map((o) => o.orderId).sort()).toEqual(busiest.orders.map((o) => o.orderId).sort());
  });

  it("resumes after a crash: fills in half-written members and the rest, and only then marks the load finished", { timeout: 240_000 }, async () => {
    const t = newTenantId("demo");
    const plan = generateDemoBrand(99, 60);
    // A load that dies after a few members...
    await expect(
      loadDemoBrand(t, {
        seed: 99,
        members: 60,
        concurrency: 4,
        onProgress: (p) => {
          if (p.phase === "members" && p.membersDone >= 10) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    expect(await isDemoLoaded(t, { seed: 99, members: 60 })).toBe(false);
    // ...and a member left half-written (created, one order and one event of many).
    const half = plan.members.slice(20).find((m) => m.orders.length >= 2 && m.events.length >= 2 && !m.referrerId)!;
    await createMember(t, { ...half }, { actor: "demo-loader" });
    const o = half.orders[0]!;
    await recordOrder(t, { ...o, memberId: half.memberId }, { actor: "demo-loader" });
    await recordEvent(t, { ...half.events[0]!, memberId: half.memberId });

    const resumed = await loadDemoBrand(t, { seed: 99, members: 60 });
    expect(resumed.skipped).toBeGreaterThanOrEqual(10);
    expect(resumed.written.orders).toBeGreaterThan(0);
    expect(await isDemoLoaded(t, { seed: 99, members: 60 })).toBe(true);
    await expectLoaded(t, plan);
  });
});

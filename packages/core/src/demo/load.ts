import { getEvent, listMemberEvents, recordEvent } from "../event/index.js";
import { changeTags, createMember, findMember, getMembers, setConsent, setTier, type CreateMemberInput, type Member } from "../member/index.js";
import { cleanOrder, getOrders, recordOrders, recordRefund } from "../order/index.js";
import { movePoints } from "../points/index.js";
import { ConflictError, RetryableError } from "../shared/errors.js";
import { createStore, findStore } from "../store/index.js";
import { getSettings, updateSettings } from "../tenant/index.js";
import { demoUgcAuthor, loadDemoContent } from "./content.js";
import { DEFAULT_DEMO_MEMBERS, DEFAULT_DEMO_SEED, generateDemoBrand, type DemoMember } from "./generate.js";
import { ensureDemoSegments } from "./segments.js";
import { loadDemoCampaigns } from "./campaigns.js";
import { demoSurveysByMember, demoTickets } from "./service.js";
import { writeDemoSpend } from "./spend.js";
import { ensureDemoStaff, loadDemoMemberStaff } from "./staff.js";

/**
 * Writes a demo plan through the domain functions (createMember, recordOrders, recordRefund,
 * recordEvent, movePoints, ...), so every stat, points balance and list is what the product
 * itself would have produced. Nothing is written around the domain.
 *
 * Resumable and idempotent: every id comes from the plan, so a second run (after a crash, or
 * on purpose) writes only what is missing. A member whose stored stats already match the plan
 * is skipped after one batched read; the others go through the same steps, each of which
 * recognises what is already there. The plan's latest event is written after everything
 * else: its presence (`isDemoLoaded`) means a load finished. On a failure the load stops taking
 * new members, lets those under way finish, and rejects: the next run picks up from there.
 */

export const DEMO_ACTOR = "demo-loader";

export interface DemoLoadOptions {
  seed?: number;
  /** Default 3000. */
  members?: number;
  /** Members written at the same time. Default 16. */
  concurrency?: number;
  onProgress?: (progress: DemoProgress) => void;
  /**
   * Also load the demo's staff (shopping assistants owning WeCom and store sign-ups, their touches;
   * demo/staff.ts). Off by default, so the plan's items stay those the bulk loader writes.
   */
  staff?: boolean;
}

export interface DemoCounts {
  members: number;
  orders: number;
  refunds: number;
  events: number;
  redemptions: number;
}

export interface DemoProgress {
  phase: "settings" | "stores" | "content" | "members" | "finishing" | "done";
  /** Members handled so far (written or found complete) and in all. */
  membersDone: number;
  membersTotal: number;
  /** Written by this run so far. */
  written: DemoCounts;
}

export interface DemoLoadResult {
  tenantId: string;
  seed: number;
  /** What the plan holds. */
  planned: DemoCounts & { stores: number };
  /** What this run wrote (zero everywhere when the demo was already complete). */
  written: DemoCounts & { stores: number; content: number; campaigns: number };
  /** Members found complete and skipped. */
  skipped: number;
  ms: number;
}

const by = { actor: DEMO_ACTOR };
const MEMBER_ATTEMPTS = 3;

export async function loadDemoBrand(tenantId: string, options: DemoLoadOptions = {}): Promise<DemoLoadResult> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const plan = generateDemoBrand(seed, options.members ?? DEFAULT_DEMO_MEMBERS);
  const concurrency = Math.max(1, Math.min(64, options.concurrency ?? 16));
  const written = { members: 0, orders: 0, refunds: 0, events: 0, redemptions: 0 };
  let membersDone = 0;
  const report = (phase: DemoProgress["phase"]) =>
    options.onProgress?.({ phase, membersDone, membersTotal: plan.members.length, written: { ...written } });

  report("settings");
  const settings = await getSettings(tenantId);
  const { brand } = plan;
  if (settings.name !== brand.name || settings.timeZone !== brand.timeZone || settings.currency !== brand.currency || settings.pointsPerUnit !== brand.pointsPerUnit) {
    await updateSettings(tenantId, brand);
  }

  report("stores");
  let storesWritten = 0;
  for (const s of plan.stores) {
    if (await findStore(tenantId, s.storeId, true)) continue;
    try {
      await createStore(tenantId, s);
      storesWritten++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  // Staff before the members, so their touches attribute the members' orders.
  const staffHook = options.staff ? (await ensureDemoStaff(tenantId, plan), (m: DemoMember) => loadDemoMemberStaff(tenantId, m, plan)) : undefined;

  // Segments (empty until the segments job or a refresh) and content before the members, so
  // the members' events and attributed orders move the content counters.
  report("content");
  const segments = await ensureDemoSegments(tenantId);
  let contentWritten = await loadDemoContent(tenantId, plan, segments, { ugc: false });
  // Campaigns before the members too: their results fill from the history's events and orders.
  const campaignsWritten = await loadDemoCampaigns(tenantId, segments);

  report("members");
  const snapshot = await getMembers(tenantId, plan.members.map((m) => m.memberId));
  const pointsPerUnit = (await getSettings(tenantId)).pointsPerUnit;
  const sentinel = plan.completionEventId;
  const todo: { member: DemoMember; stored?: Member }[] = [];
  let skipped = 0;
  // Service survey answers (loadDemoService, after this load) are SURVEY_SCORE events too.
  const surveys = demoSurveysByMember(demoTickets(plan));
  plan.members.forEach((member, i) => {
    const stored = snapshot[i];
    if (stored && isComplete(member, stored, pointsPerUnit, sentinel, surveys.get(member.memberId) ?? 0)) skipped++;
    else todo.push({ member, stored });
  });
  membersDone = skipped;
  report("members");

  // A referred member is created after its referrer's task has finished: creating it updates the
  // referrer's item, which would otherwise collide with the referrer's own writes. Tasks start in
  // join order and a referrer joined earlier, so its task is already under way: no deadlock.
  const finished = new Map<string, Promise<void>>();
  const signals = new Map<string, () => void>();
  for (const { member } of todo) finished.set(member.memberId, new Promise<void>((resolve) => signals.set(member.memberId, resolve)));
  const stores = new KeyedLock();
  // The UGC's author first: the post must exist, naming its member, before the events on it.
  const authorId = demoUgcAuthor(plan);
  const authorAt = todo.findIndex((t) => t.member.memberId === authorId);
  if (authorAt >= 0) {
    const [author] = todo.splice(authorAt, 1);
    await withRetries(() => loadMember(tenantId, author!.member, author!.stored, sentinel, finished, stores, written, staffHook));
    membersDone++;
    signals.get(authorId)?.();
  }
  contentWritten += await loadDemoContent(tenantId, plan, segments, { ugc: true });
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < todo.length) {
      const task = todo[next++]!;
      try {
        await withRetries(() => loadMember(tenantId, task.member, task.stored, sentinel, finished, stores, written, staffHook));
        membersDone++;
        report("members");
      } catch (error) {
        failure ??= error; // the other workers finish their member and stop
      } finally {
        signals.get(task.member.memberId)?.();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  if (failure !== undefined) throw failure;

  report("finishing");
  // Marketing spend (CAC, ROI) before the sentinel, so a finished load has all of it.
  await writeDemoSpend(tenantId, plan);
  const owner = plan.members.find((m) => m.events.some((e) => e.eventId === sentinel))!;
  const last = owner.events.find((e) => e.eventId === sentinel)!;
  const sentinelResult = await recordEvent(tenantId, { ...last, memberId: owner.memberId });
  if (!sentinelResult.duplicate) written.events++;

  report("done");
  return {
    tenantId,
    seed,
    planned: { ...plan.totals, stores: plan.stores.length },
    written: { ...written, stores: storesWritten, content: contentWritten, campaigns: campaignsWritten },
    skipped,
    ms: Date.now() - started,
  };
}

/** True when the demo of this seed and size finished loading into the tenant. */
export async function isDemoLoaded(tenantId: string, options: { seed?: number; members?: number } = {}): Promise<boolean> {
  const plan = generateDemoBrand(options.seed ?? DEFAULT_DEMO_SEED, options.members ?? DEFAULT_DEMO_MEMBERS);
  return (await getEvent(tenantId, plan.completionEventId)) !== undefined;
}

/** Whether any member of this demo plan exists in the tenant (a load was started). */
export async function isDemoStarted(tenantId: string, options: { seed?: number; members?: number } = {}): Promise<boolean> {
  const plan = generateDemoBrand(options.seed ?? DEFAULT_DEMO_SEED, options.members ?? DEFAULT_DEMO_MEMBERS);
  return (await findMember(tenantId, plan.members[0]!.memberId)) !== undefined;
}

/** The stats a member has once its part of the plan is written, under a points rule. */
export function plannedStats(member: DemoMember, pointsPerUnit: number) {
  const minor = (yuan: number) => Math.round(yuan * 100);
  const orders = new Map(member.orders.map((o) => [o.orderId, { amountMinor: minor(o.amount), earned: Math.floor((minor(o.amount) * pointsPerUnit) / 100), refunded: 0, reversed: 0 }]));
  let points = 0;
  for (const o of orders.values()) points += o.earned;
  // Refunds are written after all orders, so the balance always covers the proportional reversal.
  for (const r of member.refunds) {
    const o = orders.get(r.orderId)!;
    o.refunded += minor(r.amount);
    const reversal = Math.max(0, Math.min(Math.floor((o.earned * o.refunded) / o.amountMinor) - o.reversed, points));
    o.reversed += reversal;
    points -= reversal;
  }
  for (const r of member.redemptions) points -= r.points;
  return {
    orderCount: member.orders.length,
    grossSpendMinor: member.orders.reduce((s, o) => s + minor(o.amount), 0),
    refundedMinor: member.refunds.reduce((s, r) => s + minor(r.amount), 0),
    pointsBalance: points,
  };
}

function finalConsent(member: DemoMember) {
  const flags = { MARKETING: member.marketingConsent, PARTNER_SHARING: member.partnerSharingConsent };
  for (const c of member.consentChanges) flags[c.kind] = c.granted;
  return flags;
}

/**
 * A member is complete when every stat its steps move matches the plan. Consent changes flip
 * each kind at most once, so the final flags are reached only when all changes are written.
 */
function isComplete(member: DemoMember, stored: Member, pointsPerUnit: number, sentinel: string, surveys = 0): boolean {
  const stats = plannedStats(member, pointsPerUnit);
  const consent = finalConsent(member);
  // Once the demo's service desk is loaded, its survey answers are the member's events too.
  const events = member.events.length + (stored.eventCount > member.events.length ? surveys : 0);
  const holdsSentinel = member.events.some((e) => e.eventId === sentinel);
  return (
    stored.orderCount === stats.orderCount &&
    stored.grossSpendMinor === stats.grossSpendMinor &&
    stored.refundedMinor === stats.refundedMinor &&
    stored.pointsBalance === stats.pointsBalance &&
    (stored.eventCount === events || (holdsSentinel && stored.eventCount === events - 1)) &&
    stored.marketingConsent === consent.MARKETING &&
    stored.partnerSharingConsent === consent.PARTNER_SHARING &&
    stored.tier === member.tier &&
    member.tags.every((t) => stored.tags.includes(t))
  );
}

async function loadMember(
  tenantId: string,
  m: DemoMember,
  stored: Member | undefined,
  sentinel: string,
  finished: Map<string, Promise<void>>,
  stores: KeyedLock,
  written: { members: number; orders: number; refunds: number; events: number; redemptions: number },
  staffHook?: (m: DemoMember) => Promise<void>,
): Promise<void> {
  let member = stored;
  if (!member) {
    if (m.referrerId) await finished.get(m.referrerId);
    member = await create(tenantId, m, written);
  }
  // Owner and touch before the orders (both idempotent), so the touch attributes them.
  if (staffHook) await staffHook(m);

  // Consent changes after joining: each flips one kind once, so the stored flag says whether it is done.
  for (const c of m.consentChanges) {
    const current = c.kind === "MARKETING" ? member.marketingConsent : member.partnerSharingConsent;
    if (current !== c.granted) member = await setConsent(tenantId, m.memberId, c, by);
  }

  if (member.orderCount !== m.orders.length && m.orders.length > 0) {
    const existing = member.orderCount > 0 ? new Set((await getOrders(tenantId, m.orders.map((o) => o.orderId))).filter((o) => o).map((o) => o!.orderId)) : new Set<string>();
    const missing = m.orders.filter((o) => !existing.has(o.orderId)).map((o) => cleanOrder({ ...o, memberId: m.memberId }));
    if (missing.length > 0) {
      const storeIds = missing.flatMap((o) => (o.storeId ? [o.storeId] : []));
      const results = await stores.run(storeIds, () => recordOrders(tenantId, m.memberId, missing, { ...by, source: "API" }));
      written.orders += results.filter((r) => !r.duplicate).length;
    }
  }

  const refundedMinor = m.refunds.reduce((s, r) => s + Math.round(r.amount * 100), 0);
  if (member.refundedMinor !== refundedMinor) {
    const storeOf = new Map(m.orders.map((o) => [o.orderId, o.storeId]));
    for (const r of m.refunds) {
      const storeId = storeOf.get(r.orderId);
      const result = await stores.run(storeId ? [storeId] : [], () => recordRefund(tenantId, r, by));
      if (!result.duplicate) written.refunds++;
    }
  }

  const events = m.events.filter((e) => e.eventId !== sentinel);
  if (member.eventCount < events.length) {
    const existing = member.eventCount > 0 ? await eventIds(tenantId, m.memberId) : new Set<string>();
    for (const e of events) {
      if (existing.has(e.eventId)) continue;
      const result = await recordEvent(tenantId, { ...e, memberId: m.memberId });
      if (!result.duplicate) written.events++;
    }
  }

  // Redemptions are idempotent by request id; when resuming, the ones already made answer as duplicates.
  for (const r of m.redemptions) {
    const result = await movePoints(tenantId, "REDEEM", { memberId: m.memberId, points: r.points, reason: r.reason, requestId: r.requestId }, DEMO_ACTOR);
    if (!result.duplicate) written.redemptions++;
  }

  // Tags and tier are given at creation; these only repair a member changed since.
  const missingTags = m.tags.filter((t) => !member!.tags.includes(t));
  if (missingTags.length > 0) member = await changeTags(tenantId, m.memberId, { add: missingTags });
  if (member.tier !== m.tier) await setTier(tenantId, m.memberId, m.tier, { ...by, reason: "DEMO" });
}

/** What the demo signs a member up with: its createMember input (the bulk loader plans the same). */
export function demoMemberInput(m: DemoMember): CreateMemberInput & { memberId: string } {
  return {
    memberId: m.memberId,
    name: m.name,
    phone: m.phone,
    email: m.email,
    gender: m.gender,
    birthday: m.birthday,
    city: m.city,
    customerNo: m.customerNo,
    sourceChannel: m.sourceChannel,
    joinedAt: m.joinedAt,
    tags: m.tags,
    tier: m.tier,
    marketingConsent: m.marketingConsent,
    // Sign-up asks about marketing; partner sharing is recorded only by those who opt in.
    partnerSharingConsent: m.partnerSharingConsent ? true : undefined,
    referrerId: m.referrerId,
    identities: m.identities,
  };
}

async function create(tenantId: string, m: DemoMember, written: { members: number }): Promise<Member> {
  try {
    const member = await createMember(
      tenantId,
      demoMemberInput(m),
      by,
    );
    written.members++;
    return member;
  } catch (error) {
    // Created by an earlier run (whose reply we never saw): carry on from what is stored.
    if (error instanceof ConflictError) {
      const existing = await findMember(tenantId, m.memberId, true);
      if (existing) return existing;
    }
    throw error;
  }
}

async function eventIds(tenantId: string, memberId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await listMemberEvents(tenantId, memberId, { first: 100, after });
    for (const e of page.items) ids.add(e.eventId);
    if (!page.hasNextPage || !page.endCursor) return ids;
    after = page.endCursor;
  }
}

/**
 * Mutual exclusion by key, within this process. Every order and refund at a store also adds to
 * the store's totals in the same transaction; concurrent transactions on one store item cancel
 * each other (TransactionConflict) and back off, so the loader writes one store's orders at a
 * time instead. Keys are taken in sorted order, so two holders cannot wait on each other.
 */
class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((resolve) => (release = resolve));
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        releases.push(() => {
          release();
          if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        await previous;
      }
      return await fn();
    } finally {
      for (const release of releases) release();
    }
  }
}

/** DynamoDB Local can be briefly overwhelmed; every step is idempotent, so a member is retried whole. */
async function withRetries(run: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const transient = error instanceof RetryableError || (error as { $retryable?: unknown }).$retryable !== undefined || (error as { name?: string }).name === "TimeoutError";
      if (!transient || attempt >= MEMBER_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

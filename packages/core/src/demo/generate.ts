import type { EventType } from "../event/types.js";
import type { Channel, ConsentKind, Gender, IdentityRef, Tier } from "../member/types.js";
import {
  BRAND,
  CAMPAIGNS,
  CITIES,
  CONTENT,
  DEMO_ANCHOR,
  DEMO_START,
  EMAIL_DOMAINS,
  GENDER_WEIGHTS,
  GIVEN_CHARS,
  HANDLES,
  HOUR_WEIGHTS,
  JOIN_CHANNELS,
  MENU,
  NICKNAMES,
  PHONE_PREFIXES,
  REDEMPTION_REWARDS,
  REFERRED_CHANNELS,
  REFUND_REASONS,
  seasonality,
  SHANGHAI_OFFSET_MS,
  STORES,
  SURNAMES,
  VOUCHERS,
  type MenuItem,
} from "./catalog.js";
import { Random } from "./random.js";

/**
 * The demo brand as a plan: every member, order, refund, event and redemption, with ids derived
 * from the seed and the member count. Pure and deterministic: the same arguments give a deep-equal
 * plan, and nothing depends on the wall clock (times are relative to DEMO_ANCHOR).
 */

export const DEFAULT_DEMO_SEED = 2026;
export const DEFAULT_DEMO_MEMBERS = 1500;

export interface DemoStore {
  storeId: string;
  name: string;
  city: string;
  address: string;
  latitude: number;
  longitude: number;
}

export interface DemoOrderLine {
  sku: string;
  name: string;
  quantity: number;
  /** Yuan, two decimals at most. */
  unitPrice: number;
}

export interface DemoOrder {
  orderId: string;
  channel: Channel;
  storeId?: string;
  /** Amount paid in yuan (after discounts), two decimals at most. */
  amount: number;
  items: DemoOrderLine[];
  occurredAt: string;
  campaignId?: string;
  /** Content item clicked in the 7 days before the order (last click): its conversions. */
  contentId?: string;
}

export interface DemoRefund {
  refundId: string;
  orderId: string;
  amount: number;
  reason: string;
  occurredAt: string;
}

export interface DemoEvent {
  eventId: string;
  type: EventType;
  channel: Channel;
  occurredAt: string;
  contentId?: string;
  campaignId?: string;
  storeId?: string;
  score?: number;
}

/** A consent change after joining. Each kind changes at most once, always flipping the flag. */
export interface DemoConsentChange {
  kind: ConsentKind;
  granted: boolean;
  source: string;
}

export interface DemoRedemption {
  requestId: string;
  points: number;
  reason: string;
}

export interface DemoMember {
  memberId: string;
  name?: string;
  /** E.164, unique in the plan. */
  phone?: string;
  email?: string;
  gender: Gender;
  birthday?: string;
  city?: string;
  /** Offline member card number, unique in the plan. */
  customerNo?: string;
  sourceChannel: Channel;
  joinedAt: string;
  identities: IdentityRef[];
  /** Profile tags (学生, 白领, 咖啡...) and behaviour tags as of the anchor (会员日常客, 沉睡待唤醒...). */
  tags: string[];
  /** The tier as of the anchor. */
  tier: Tier;
  /** Consent given at sign-up. */
  marketingConsent: boolean;
  partnerSharingConsent: boolean;
  consentChanges: DemoConsentChange[];
  /** An earlier member (lower index) who referred this one. */
  referrerId?: string;
  /** Chronological. */
  orders: DemoOrder[];
  refunds: DemoRefund[];
  /** Chronological. */
  events: DemoEvent[];
  redemptions: DemoRedemption[];
}

export interface DemoPlan {
  seed: number;
  memberCount: number;
  anchor: string;
  startsAt: string;
  brand: { name: string; timeZone: string; currency: string; pointsPerUnit: number };
  stores: DemoStore[];
  /** In join order: a referrer always comes before the members it referred. */
  members: DemoMember[];
  /** The plan's latest event: the loader writes it last, so its presence means the load finished. */
  completionEventId: string;
  totals: { members: number; orders: number; refunds: number; events: number; redemptions: number; referred: number };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const OPENID_CHARS = `${ALNUM}_-`;
const DIGITS = "0123456789";

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const localDate = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const localDayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const yuan = (minor: number) => minor / 100;

/** The id prefix of a plan: seed and size, so demos of different sizes never share ids. */
export const demoIdPrefix = (seed: number, members: number) => `d${seed}-${members}`;

export function generateDemoBrand(seed: number = DEFAULT_DEMO_SEED, members: number = DEFAULT_DEMO_MEMBERS): DemoPlan {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seed})`);
  if (!Number.isInteger(members) || members < 1 || members > 100_000) throw new Error(`members must be 1-100000 (got ${members})`);
  const prefix = demoIdPrefix(seed, members);
  const start = Date.parse(DEMO_START);
  const anchor = Date.parse(DEMO_ANCHOR);
  const rng = new Random(seed);

  const stores: DemoStore[] = STORES.map((s) => ({
    storeId: `d${seed}-st-${s.code}`,
    name: s.name,
    city: s.city,
    address: s.address,
    latitude: s.latitude,
    longitude: s.longitude,
  }));
  const storesByCity = new Map<string, (readonly [DemoStore, number])[]>();
  STORES.forEach((s, i) => storesByCity.set(s.city, [...(storesByCity.get(s.city) ?? []), [stores[i]!, s.weight] as const]));

  const joins = joinTimes(rng, members, start, anchor);
  const used = { phones: new Set<string>(), ids: new Set<string>(), cards: new Set<string>(), emails: new Set<string>() };
  const people: Person[] = [];
  const weights = new ReferrerWeights();
  for (let i = 0; i < members; i++) {
    const r = Random.derive(seed, "member", i);
    const memberId = `${prefix}-m${pad(i + 1, 5)}`;
    const referrer = i >= 10 && rng.chance(0.18) ? pickReferrer(rng, people, weights, joins[i]!) : undefined;
    const p = person(r, i, memberId, joins[i]!, referrer, used, storesByCity);
    people.push(p);
    weights.push(referrerWeight(p));
  }
  for (const p of people) if (p.referrer) p.referrer.referrals++;

  const planned: DemoMember[] = people.map((p) => behave(Random.derive(seed, "behaviour", p.index), p, anchor, storesByCity));
  const latest = latestEvent(planned);
  const totals = {
    members: planned.length,
    orders: planned.reduce((s, m) => s + m.orders.length, 0),
    refunds: planned.reduce((s, m) => s + m.refunds.length, 0),
    events: planned.reduce((s, m) => s + m.events.length, 0),
    redemptions: planned.reduce((s, m) => s + m.redemptions.length, 0),
    referred: planned.filter((m) => m.referrerId).length,
  };
  return {
    seed,
    memberCount: members,
    anchor: DEMO_ANCHOR,
    startsAt: DEMO_START,
    brand: { ...BRAND },
    stores,
    members: planned,
    completionEventId: latest,
    totals,
  };
}

// --- sign-ups -----------------------------------------------------------------------------

/** Join instants, ascending: a growing trend times the shopping-festival calendar. */
function joinTimes(rng: Random, n: number, start: number, anchor: number): number[] {
  const days = Math.round((anchor - start) / DAY);
  const cumulative: number[] = [];
  let total = 0;
  for (let d = 0; d < days; d++) {
    total += (0.55 + (0.9 * d) / days) * seasonality(localDate(start + d * DAY), "JOIN");
    cumulative.push(total);
  }
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.next() * total;
    let lo = 0;
    let hi = days - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    times.push(start + lo * DAY + timeOfDay(rng));
  }
  return times.sort((a, b) => a - b);
}

function timeOfDay(rng: Random): number {
  return rng.weighted(HOUR_WEIGHTS) * HOUR + rng.int(0, 59) * MINUTE + rng.int(0, 59) * 1000;
}

interface Person {
  index: number;
  memberId: string;
  joinedAt: number;
  name?: string;
  phone?: string;
  email?: string;
  gender: Gender;
  birthday?: string;
  age: number;
  city?: string;
  homeCity: string;
  homeStore: DemoStore;
  customerNo?: string;
  sourceChannel: Channel;
  identities: IdentityRef[];
  prefersCoffee: boolean;
  tags: string[];
  marketingConsent: boolean;
  partnerSharingConsent: boolean;
  consentChanges: DemoConsentChange[];
  referrer?: Person;
  /** Length of the referral chain above this member (0 = not referred). */
  depth: number;
  referrals: number;
  ambassador: boolean;
}

/** How much more likely a member is to be picked as a referrer: ambassadors, then members referred themselves. */
const referrerWeight = (p: Person) => (p.ambassador ? 30 : p.depth > 0 ? 6 : 1);

/**
 * Running sums of referrer weights in join order. A pick is a binary search instead of a scan
 * over every earlier member (which made a 100,000-member plan take 100 s instead of a few).
 * Weights are small integers, so the sums are exact and `r < cum[k]` is exactly the test
 * `Random.weighted` makes by subtracting weights one by one: the plan is unchanged.
 */
class ReferrerWeights {
  private readonly cum: number[] = [];
  push(weight: number): void {
    this.cum.push((this.cum.at(-1) ?? 0) + weight);
  }
  /** Index of the entry `Random.weighted` would return for draw `r` over the first `n` entries. */
  find(r: number, n: number): number {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r < this.cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  total(n: number): number {
    return n > 0 ? this.cum[n - 1]! : 0;
  }
}

/**
 * An earlier member who joined at least a day before: ambassadors and members who were
 * referred themselves are preferred, which gives a few heavy referrers and chains 3-5 deep.
 * Same draw as `rng.weighted` over those members (one `next()`), found by binary search.
 */
function pickReferrer(rng: Random, people: Person[], weights: ReferrerWeights, joinedAt: number): Person | undefined {
  // People are in join order: the eligible ones are a prefix.
  let lo = 0;
  let hi = people.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (people[mid]!.joinedAt > joinedAt - DAY) hi = mid;
    else lo = mid + 1;
  }
  if (lo === 0) return undefined;
  return people[weights.find(rng.next() * weights.total(lo), lo)];
}

function person(
  r: Random,
  index: number,
  memberId: string,
  joinedAt: number,
  referrer: Person | undefined,
  used: { phones: Set<string>; ids: Set<string>; cards: Set<string>; emails: Set<string> },
  storesByCity: Map<string, (readonly [DemoStore, number])[]>,
): Person {
  const gender = r.weighted(GENDER_WEIGHTS);
  const age = r.weighted<[number, number]>([[[18, 22], 20], [[23, 30], 40], [[31, 40], 30], [[41, 55], 10]]);
  const years = r.int(age[0], age[1]);
  const joinYear = new Date(joinedAt).getUTCFullYear();
  const birthYear = joinYear - years;
  const month = r.int(1, 12);
  const day = r.int(1, new Date(Date.UTC(birthYear, month, 0)).getUTCDate());
  const birthday = r.chance(0.78) ? `${birthYear}-${pad(month, 2)}-${pad(day, 2)}` : undefined;

  const surname = r.weighted(SURNAMES.map(([s, py, w]) => [[s, py] as const, w] as const));
  const chars = GIVEN_CHARS[gender === "MALE" ? "MALE" : "FEMALE"];
  const given = r.chance(0.7) ? r.pick([...chars]) + r.pick([...chars]) : r.pick([...chars]);
  const nameRoll = r.next();
  const name = nameRoll < 0.82 ? surname[0] + given : nameRoll < 0.94 ? r.pick(NICKNAMES) : undefined;

  const homeCity = referrer && r.chance(0.8) ? referrer.homeCity : r.weighted(CITIES.map((c) => [c.city, c.weight] as const));
  const city = r.chance(0.9) ? homeCity : undefined;
  const homeStore = r.weighted(storesByCity.get(homeCity)!);

  const sourceChannel = referrer ? r.weighted(REFERRED_CHANNELS) : r.weighted(JOIN_CHANNELS);
  let phone: string | undefined;
  if (r.chance(sourceChannel === "STORE" ? 0.98 : 0.92)) {
    do phone = `+86${r.weighted(PHONE_PREFIXES)}${r.chars(DIGITS, 8)}`;
    while (used.phones.has(phone));
    used.phones.add(phone);
  }
  let email: string | undefined;
  if (r.chance(0.16)) {
    do {
      email = r.chance(0.5)
        ? `${r.int(1, 9)}${r.chars(DIGITS, r.int(6, 9))}@qq.com`
        : `${r.pick(HANDLES)}${r.chance(0.5) ? "." : ""}${surname[1]}${r.chance(0.7) ? r.int(1980, 2008) : r.int(1, 999)}@${r.weighted(EMAIL_DOMAINS)}`;
    } while (used.emails.has(email));
    used.emails.add(email);
  }

  const unique = (make: () => string) => {
    let id: string;
    do id = make();
    while (used.ids.has(id));
    used.ids.add(id);
    return id;
  };
  // Openids share a per-app prefix, like WeChat's; WeCom external ids start with "wm".
  const make: Record<string, () => string> = {
    WECHAT_OA: () => `oTq2w${r.chars(OPENID_CHARS, 23)}`,
    MINI_PROGRAM: () => `o8FkX${r.chars(OPENID_CHARS, 23)}`,
    WECOM: () => `wmQ4${r.chars(OPENID_CHARS, 28)}`,
    APP: () => `U${r.int(1, 9)}${r.chars(DIGITS, 9)}`,
    COMMUNITY_GROUP: () => `wxid_${r.chars("abcdefghijklmnopqrstuvwxyz0123456789", 14)}`,
    LIVE: () => `_000${r.chars(OPENID_CHARS, 28)}`,
  };
  const identities: IdentityRef[] = [];
  const add = (channel: Channel) => {
    if (make[channel] && !identities.some((i) => i.channel === channel)) identities.push({ channel, externalId: unique(make[channel]) });
  };
  add(sourceChannel);
  if (sourceChannel === "COMMUNITY_GROUP" || r.chance(0.45)) add("MINI_PROGRAM");
  if (r.chance(0.35)) add("WECHAT_OA");
  if (r.chance(sourceChannel === "STORE" ? 0.4 : 0.18)) add("WECOM");
  if (r.chance(0.06)) add("APP");
  let customerNo: string | undefined;
  if (sourceChannel === "STORE" || r.chance(0.12)) {
    do customerNo = `DT${r.chars(DIGITS, 10)}`;
    while (used.cards.has(customerNo));
    used.cards.add(customerNo);
  }

  const prefersCoffee = r.chance(age[0] >= 23 ? 0.45 : 0.2);
  const tags = new Set<string>();
  if (age[0] === 18 && r.chance(0.7)) tags.add("学生");
  if (age[0] >= 23 && age[0] <= 31 && r.chance(0.55)) tags.add("白领");
  if (gender === "FEMALE" && age[0] >= 31 && r.chance(0.35)) tags.add("宝妈");
  if (prefersCoffee ? r.chance(0.6) : r.chance(0.15)) tags.add("咖啡");
  if (!prefersCoffee && r.chance(0.55)) tags.add("奶茶控");
  if (r.chance(0.1)) tags.add("低糖");
  if (r.chance(0.12)) tags.add("新品尝鲜");
  if (r.chance(0.08)) tags.add("下午茶");

  const marketingConsent = r.chance(sourceChannel === "STORE" ? 0.55 : 0.74);
  const partnerSharingConsent = r.chance(0.28);
  const consentChanges: DemoConsentChange[] = [];
  if (marketingConsent ? r.chance(0.09) : r.chance(0.06)) {
    consentChanges.push({ kind: "MARKETING", granted: !marketingConsent, source: marketingConsent ? r.pick(["SMS_REPLY_TD", "MEMBER_CENTRE", "WECOM"]) : r.pick(["MEMBER_CENTRE", "MINI_PROGRAM"]) });
  }
  if (partnerSharingConsent ? r.chance(0.03) : r.chance(0.05)) {
    consentChanges.push({ kind: "PARTNER_SHARING", granted: !partnerSharingConsent, source: "MEMBER_CENTRE" });
  }
  if (consentChanges.length === 2 && r.chance(0.5)) consentChanges.reverse();

  return {
    index,
    memberId,
    joinedAt,
    name,
    phone,
    email,
    gender,
    birthday,
    age: years,
    city,
    homeCity,
    homeStore,
    customerNo,
    sourceChannel,
    identities,
    prefersCoffee,
    tags: [...tags],
    marketingConsent,
    partnerSharingConsent,
    consentChanges,
    referrer,
    depth: referrer ? referrer.depth + 1 : 0,
    referrals: 0,
    ambassador: r.chance(0.03),
  };
}

// --- behaviour ------------------------------------------------------------------------------

const MAX_ORDER_MULTIPLIER = 3.2 * 1.15 * 1.25;

function behave(r: Random, p: Person, anchor: number, storesByCity: Map<string, (readonly [DemoStore, number])[]>): DemoMember {
  const storeShare = p.sourceChannel === "STORE" ? 0.8 : p.sourceChannel === "LIVE" ? 0.2 : 0.45;
  const buyer = r.chance(p.referrer ? 0.85 : p.sourceChannel === "LIVE" ? 0.6 : 0.76);
  // BG/NBD-like: a purchase rate per day (gamma across members) and a chance to drop out after each purchase.
  const rate = r.gamma(0.65, 0.05) * (p.ambassador ? 3 : 1);
  const dropout = Math.min(0.95, r.beta(1, 4.5) * (p.ambassador ? 0.3 : 1));
  const engagement = r.gamma(0.9, 1) * (p.ambassador ? 2.5 : 1) * (buyer ? 1.2 : 0.6);
  const memberDay = r.chance(0.15);

  // Orders.
  const orderTimes: number[] = [];
  if (buyer) {
    let t = r.chance(0.55) ? p.joinedAt + r.int(2, 90) * MINUTE : p.joinedAt + r.exponential(12 * DAY) + HOUR;
    if (t < anchor) {
      orderTimes.push(t);
      while (!r.chance(dropout)) {
        // Thinning: a homogeneous process at the peak rate, each candidate kept with the day's weight.
        for (;;) {
          t += r.exponential(DAY / (rate * MAX_ORDER_MULTIPLIER * 2));
          if (t >= anchor) break;
          const date = localDate(t);
          const dayBoost = memberDay && new Date(`${date}T00:00:00Z`).getUTCDay() === 3 ? 2 : 1;
          if (r.next() < (seasonality(date, "ORDER") * dayBoost) / (MAX_ORDER_MULTIPLIER * 2)) break;
        }
        if (t >= anchor) break;
        // Re-place within the day at a plausible hour, keeping orders in sequence.
        const placed = Math.max(localDayStart(localDate(t)) + timeOfDay(r), orderTimes[orderTimes.length - 1]! + 20 * MINUTE);
        if (placed >= anchor) break;
        orderTimes.push(placed);
        t = placed;
      }
    }
  }
  const orders: DemoOrder[] = orderTimes.map((at, k) => order(r, p, `${p.memberId}-o${pad(k + 1, 3)}`, at, storeShare, storesByCity));

  // Refunds: a few, shortly after the order, mostly in full.
  const refunds: DemoRefund[] = [];
  for (const o of orders) {
    if (!r.chance(0.015)) continue;
    const at = Date.parse(o.occurredAt) + r.int(5, 90) * MINUTE;
    if (at >= anchor) continue;
    const paid = Math.round(o.amount * 100);
    const minor = r.chance(0.75) || o.items.length < 2 ? paid : Math.min(paid, Math.round(o.items[0]!.unitPrice * 100));
    refunds.push({ refundId: `${o.orderId}-r1`, orderId: o.orderId, amount: yuan(minor), reason: r.pick(REFUND_REASONS), occurredAt: iso(at) });
  }

  // Points: earn 1 per yuan (floor), reversals proportional to the refunded part, then redemptions.
  const redemptions: DemoRedemption[] = [];
  let balance = 0;
  const refundOf = new Map(refunds.map((x) => [x.orderId, x]));
  for (const o of orders) {
    const amountMinor = Math.round(o.amount * 100);
    const earned = Math.floor((amountMinor * BRAND.pointsPerUnit) / 100);
    balance += earned;
    const refund = refundOf.get(o.orderId);
    if (refund) balance -= Math.floor((earned * Math.round(refund.amount * 100)) / amountMinor);
    if (balance >= 150 && r.chance(0.12)) {
      const affordable = REDEMPTION_REWARDS.filter(([, cost]) => cost <= balance);
      const [reason, cost] = r.pick(affordable);
      redemptions.push({ requestId: `${p.memberId}-p${pad(redemptions.length + 1, 2)}`, points: cost, reason });
      balance -= cost;
    }
  }

  // Events.
  const raw: Omit<DemoEvent, "eventId">[] = [];
  const within = (at: number) => at >= p.joinedAt && at < anchor;
  const push = (at: number, e: Omit<DemoEvent, "eventId" | "occurredAt">) => {
    if (within(at)) raw.push({ ...e, occurredAt: iso(at) });
  };
  for (const c of CONTENT) {
    const published = localDayStart(c.publishedAt) + 10 * HOUR;
    if (published < p.joinedAt - 30 * DAY || published >= anchor) continue;
    if (!r.chance(Math.min(0.85, 0.016 * engagement * c.weight))) continue;
    const at = Math.max(published, p.joinedAt) + r.exponential(2 * DAY);
    const channel = r.weighted<Channel>([["WECHAT_OA", 45], ["MINI_PROGRAM", 30], ["WECOM", 15], ["COMMUNITY_GROUP", 10]]);
    push(at, { type: "VIEW", channel, contentId: c.id });
    if (r.chance(0.35)) {
      push(at + r.int(1, 8) * MINUTE, { type: "CLICK", channel, contentId: c.id });
      if (r.chance(p.ambassador || p.referrals > 0 ? 0.45 : 0.12)) push(at + r.int(9, 30) * MINUTE, { type: "SHARE", channel, contentId: c.id });
    }
  }
  orders.forEach((o, k) => {
    const at = Date.parse(o.occurredAt);
    if ((o.channel === "MINI_PROGRAM" || o.channel === "APP") && r.chance(0.05)) push(at - r.int(2, 15) * MINUTE, { type: "ADD_TO_CART", channel: o.channel });
    if (o.storeId && r.chance(0.02)) push(at - r.int(1, 5) * MINUTE, { type: "STORE_VISIT", channel: "STORE", storeId: o.storeId });
    if (r.chance(0.035)) {
      const refunded = refundOf.has(o.orderId);
      const score = refunded ? r.int(0, 5) : k >= 4 ? r.weighted([[10, 45], [9, 25], [8, 15], [7, 10], [5, 5]]) : r.weighted([[10, 25], [9, 20], [8, 20], [7, 15], [6, 10], [4, 6], [2, 4]]);
      push(at + r.int(1, 20) * HOUR, { type: "SURVEY_SCORE", channel: r.pick<Channel>(["MINI_PROGRAM", "WECOM"]), score });
    }
  });
  // Abandoned carts and store visits without a purchase.
  for (let k = r.poisson(0.04 * engagement); k > 0; k--) {
    push(p.joinedAt + r.next() * (anchor - p.joinedAt), { type: "ADD_TO_CART", channel: r.pick<Channel>(["MINI_PROGRAM", "MINI_PROGRAM", "APP"]) });
  }
  if (storeShare >= 0.45 && r.chance(0.05)) push(p.joinedAt + r.next() * (anchor - p.joinedAt), { type: "STORE_VISIT", channel: "STORE", storeId: p.homeStore.storeId });
  // A few members sign in daily in the mini program for a streak.
  if (r.chance(0.02 * Math.min(2, engagement))) {
    const streak = r.int(3, 8);
    const first = localDayStart(localDate(p.joinedAt + r.next() * (anchor - p.joinedAt)));
    for (let d = 0; d < streak; d++) push(first + d * DAY + r.int(8 * 60, 22 * 60) * MINUTE, { type: "CHECK_IN", channel: "MINI_PROGRAM" });
  }
  // Campaign messages to members who agreed to marketing at the time.
  for (const c of CAMPAIGNS) {
    const at = localDayStart(c.from) + r.int(10 * 60, 12 * 60) * MINUTE;
    if (!p.marketingConsent || at < p.joinedAt || !r.chance(0.05)) continue;
    push(at, { type: "MESSAGE_DELIVERED", channel: r.weighted<Channel>([["WECOM", 40], ["WECHAT_OA", 40], ["SMS", 20]]), campaignId: c.id });
  }
  raw.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  const events: DemoEvent[] = raw.map((e, k) => ({ eventId: `${p.memberId}-e${pad(k + 1, 3)}`, ...e }));
  attributeToContent(orders, events);

  // Tier and rule tags as of the anchor.
  const lastOrder = orderTimes.length > 0 ? orderTimes[orderTimes.length - 1]! : undefined;
  const lastEvent = events.length > 0 ? Date.parse(events[events.length - 1]!.occurredAt) : undefined;
  const lastActive = Math.max(lastOrder ?? 0, lastEvent ?? 0);
  const netMinor = orders.reduce((s, o) => s + Math.round(o.amount * 100), 0) - refunds.reduce((s, x) => s + Math.round(x.amount * 100), 0);
  const recentOrders = orderTimes.filter((t) => t >= anchor - 180 * DAY).length;
  const tier: Tier =
    orders.length >= 15 || (orders.length >= 8 && p.referrals >= 2)
      ? "CORE"
      : orders.length >= 4 || recentOrders >= 3
        ? "LOYAL"
        : lastActive >= anchor - 90 * DAY
          ? "ACTIVE"
          : "SILENT";
  const ruleTags: string[] = [];
  if (orders.length >= 8) ruleTags.push("会员日常客");
  if (netMinor >= 80_000) ruleTags.push("高价值");
  if (orders.length > 0 && lastActive < anchor - 90 * DAY) ruleTags.push("沉睡待唤醒");
  if (p.referrals >= 3) ruleTags.push("推荐达人");

  return {
    memberId: p.memberId,
    ...(p.name ? { name: p.name } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(p.email ? { email: p.email } : {}),
    gender: p.gender,
    ...(p.birthday ? { birthday: p.birthday } : {}),
    ...(p.city ? { city: p.city } : {}),
    ...(p.customerNo ? { customerNo: p.customerNo } : {}),
    sourceChannel: p.sourceChannel,
    joinedAt: iso(p.joinedAt),
    identities: p.identities,
    tags: [...p.tags, ...ruleTags],
    tier,
    marketingConsent: p.marketingConsent,
    partnerSharingConsent: p.partnerSharingConsent,
    consentChanges: p.consentChanges,
    ...(p.referrer ? { referrerId: p.referrer.memberId } : {}),
    orders,
    refunds,
    events,
    redemptions,
  };
}

function order(
  r: Random,
  p: Person,
  orderId: string,
  at: number,
  storeShare: number,
  storesByCity: Map<string, (readonly [DemoStore, number])[]>,
): DemoOrder {
  const inStore = r.chance(storeShare);
  const channel: Channel = inStore
    ? "STORE"
    : r.weighted<Channel>([
        ["MINI_PROGRAM", 62],
        ["APP", p.identities.some((i) => i.channel === "APP") ? 40 : 6],
        ["COMMUNITY_GROUP", p.sourceChannel === "COMMUNITY_GROUP" ? 25 : 6],
        ["LIVE", p.sourceChannel === "LIVE" ? 30 : 3],
        ["WECHAT_OA", 4],
        ["WEB", 1],
      ]);
  const storeId = inStore ? (r.chance(0.8) ? p.homeStore : r.weighted(storesByCity.get(p.homeCity)!)).storeId : undefined;
  const lines: { item: MenuItem; quantity: number }[] = [];
  if (channel === "LIVE" || (channel === "COMMUNITY_GROUP" && r.chance(0.6))) {
    lines.push({ item: r.pick(VOUCHERS), quantity: r.chance(0.8) ? 1 : 2 });
  } else {
    const drinks = MENU.filter((m) => (p.prefersCoffee ? m.kind === "COFFEE" : m.kind === "TEA"));
    const others = MENU.filter((m) => m.kind !== "FOOD");
    const delivery = !inStore && r.chance(0.5);
    const count = r.weighted<number>(delivery ? [[1, 35], [2, 40], [3, 25]] : [[1, 60], [2, 30], [3, 10]]);
    const chosen = new Set<MenuItem>();
    while (chosen.size < count) {
      const roll = r.next();
      chosen.add(roll < 0.6 ? r.pick(drinks) : roll < 0.85 ? r.pick(others) : r.pick(MENU.filter((m) => m.kind === "FOOD")));
    }
    for (const item of chosen) lines.push({ item, quantity: r.chance(0.85) ? 1 : 2 });
  }
  const gross = lines.reduce((s, l) => s + l.item.priceMinor * l.quantity, 0);
  const date = localDate(at);
  const campaign = CAMPAIGNS.find((c) => date >= c.from && date <= c.to);
  let paid = gross;
  let campaignId: string | undefined;
  if (campaign && r.chance(0.4)) {
    campaignId = campaign.id;
    paid = Math.round(gross * r.pick([0.8, 0.85, 0.88]));
  } else if (new Date(`${date}T00:00:00Z`).getUTCDay() === 3 && r.chance(0.5)) {
    paid = Math.round(gross * 0.88); // Wednesday member day
  } else if (gross >= 2500 && r.chance(0.18)) {
    paid = gross - r.pick([300, 500, 800]); // a coupon
  }
  return {
    orderId,
    channel,
    ...(storeId ? { storeId } : {}),
    amount: yuan(paid),
    items: lines.map((l) => ({ sku: l.item.sku, name: l.item.name, quantity: l.quantity, unitPrice: yuan(l.item.priceMinor) })),
    occurredAt: iso(at),
    ...(campaignId ? { campaignId } : {}),
  };
}

function latestEvent(members: DemoMember[]): string {
  let best: DemoEvent | undefined;
  for (const m of members) {
    const last = m.events[m.events.length - 1];
    if (last && (!best || last.occurredAt > best.occurredAt || (last.occurredAt === best.occurredAt && last.eventId > best.eventId))) best = last;
  }
  if (best) return best.eventId;
  // Every plan has at least one event to mark completion: a welcome message to the newest member.
  const newest = members[members.length - 1]!;
  const at = Math.min(Date.parse(newest.joinedAt) + MINUTE, Date.parse(DEMO_ANCHOR) - 1000);
  const event: DemoEvent = { eventId: `${newest.memberId}-e001`, type: "MESSAGE_DELIVERED", channel: "WECOM", occurredAt: iso(at) };
  newest.events.push(event);
  return event.eventId;
}

/** Days after a click within which an order is attributed to the clicked item (last click wins). */
const ATTRIBUTION_DAYS = 7;

/**
 * Last click wins: an order placed within ATTRIBUTION_DAYS after a click on a content item is
 * attributed to the latest such item. Uses no randomness, so the rest of the plan is unchanged by it.
 */
function attributeToContent(orders: DemoOrder[], events: readonly DemoEvent[]): void {
  const clicks = events.filter((e) => e.type === "CLICK" && e.contentId).map((e) => ({ at: Date.parse(e.occurredAt), contentId: e.contentId! }));
  if (clicks.length === 0) return;
  for (const o of orders) {
    const at = Date.parse(o.occurredAt);
    const last = clicks.filter((c) => c.at <= at && c.at > at - ATTRIBUTION_DAYS * DAY).at(-1);
    if (last) o.contentId = last.contentId;
  }
}

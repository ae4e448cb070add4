import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { ACTIVITY_DAYS, addEvent, addOrder, addRefund, combineActivity, emptyActivity, KEYED_DAYS, localDayNumber, MAX_KEYED_PER_DAY, trimActivity, type Activity } from "./activity.js";
import { evaluateRule, evaluationClock, type MemberFacts } from "./evaluate.js";
import { validateRule } from "./rule.js";
import type { SegmentRule } from "./types.js";

const ZONE = "Asia/Shanghai";
// 2025-06-15 12:00 in Shanghai.
const clock = evaluationClock("2025-06-15T04:00:00Z", ZONE);

function activity(): Activity {
  const a = emptyActivity(ZONE);
  const today = clock.today;
  addOrder(a, { occurredAt: "2025-06-14T02:00:00Z", amountMinor: 10000 }); // 1 day ago
  addOrder(a, { occurredAt: "2025-05-20T02:00:00Z", amountMinor: 20000 }); // 26 days ago
  addRefund(a, { orderOccurredAt: "2025-05-20T02:00:00Z", amountMinor: 5000 });
  addOrder(a, { occurredAt: "2025-03-01T02:00:00Z", amountMinor: 5000 }); // 106 days ago
  addOrder(a, { occurredAt: "2024-07-01T02:00:00Z", amountMinor: 5000 }); // 349 days ago
  addEvent(a, { occurredAt: "2025-06-14T16:00:00Z", type: "VIEW", contentId: "c1" }, today); // local 06-15 00:00: today
  addEvent(a, { occurredAt: "2025-06-15T03:00:00Z", type: "VIEW", contentId: "c1" }, today);
  addEvent(a, { occurredAt: "2025-06-14T15:59:59Z", type: "VIEW" }, today); // local 06-14 23:59:59: yesterday
  addEvent(a, { occurredAt: "2025-06-01T02:00:00Z", type: "CLICK", campaignId: "g1" }, today); // 14 days ago
  addEvent(a, { occurredAt: "2025-01-01T02:00:00Z", type: "SHARE" }, today); // 165 days ago
  return a;
}

const base: MemberFacts = {
  member: {
    memberId: "m1",
    status: "ACTIVE",
    gender: "FEMALE",
    birthday: "1990-06-16",
    city: "Shanghai",
    sourceChannel: "MINI_PROGRAM",
    joinedAt: "2024-06-15T00:00:00.000Z",
    tier: "LOYAL",
    tags: ["coffee", "vip"],
    marketingConsent: true,
    partnerSharingConsent: false,
    pointsBalance: 120,
    orderCount: 4,
    grossSpendMinor: 40000,
    refundedMinor: 5000,
    lastOrderAt: "2025-06-10T15:59:59.000Z", // local 06-10 23:59:59: 5 days ago
    lastActiveAt: "2025-06-14T16:00:00.000Z", // local 06-15 00:00: today
  },
  activity: activity(),
  clv: { predictedClvMinor: 12345.6, pAlive: 0.42 },
  channels: ["MINI_PROGRAM", "WECOM"],
};

type Overrides = { member?: Partial<MemberFacts["member"]> } & Partial<Omit<MemberFacts, "member">>;
const facts = (o: Overrides = {}): MemberFacts => ({ ...base, ...o, member: { ...base.member, ...o.member } });
const c = (field: string, op: string, extra: Record<string, unknown> = {}) => ({ condition: { field, op, ...extra } });
const w = (days: number) => ({ window: { inLastDays: days } });
const run = (rule: unknown, f: MemberFacts = base) => evaluateRule(validateRule(rule), f, clock);

describe("evaluating one condition", () => {
  const noCity = facts({ member: { city: undefined } });
  const noBirthday = facts({ member: { birthday: undefined } });
  const noOrders = facts({ member: { orderCount: 0, grossSpendMinor: 0, refundedMinor: 0, lastOrderAt: undefined }, activity: undefined });
  const noClv = facts({ clv: undefined });

  it.each<[string, unknown, boolean, MemberFacts?]>([
    // profile
    ["city equals, any case", c("CITY", "EQ", { value: "shanghai" }), true],
    ["city differs", c("CITY", "NEQ", { value: "Beijing" }), true],
    ["city in list", c("CITY", "IN", { values: ["Beijing", "SHANGHAI"] }), true],
    ["city not in list", c("CITY", "NOT_IN", { values: ["Shanghai"] }), false],
    ["no city fails EQ", c("CITY", "EQ", { value: "Shanghai" }), false, noCity],
    ["no city fails NEQ too", c("CITY", "NEQ", { value: "Beijing" }), false, noCity],
    ["no city fails NOT_IN too", c("CITY", "NOT_IN", { values: ["Beijing"] }), false, noCity],
    ["no city: IS_NOT_SET", c("CITY", "IS_NOT_SET"), true, noCity],
    ["no city: not(EQ) is the complement", { not: c("CITY", "EQ", { value: "Shanghai" }) }, true, noCity],
    ["city IS_SET", c("CITY", "IS_SET"), true],
    ["gender", c("GENDER", "EQ", { value: "FEMALE" }), true],
    ["gender not in", c("GENDER", "NOT_IN", { values: ["MALE", "OTHER"] }), true],
    ["age 34 the day before the 35th birthday", c("AGE", "EQ", { value: 34 }), true],
    ["age 35 on the birthday", c("AGE", "EQ", { value: 35 }), true, facts({ member: { birthday: "1990-06-15" } })],
    ["age between, inclusive", c("AGE", "BETWEEN", { values: [18, 34] }), true],
    ["age below", c("AGE", "LT", { value: 34 }), false],
    ["no birthday fails", c("AGE", "GTE", { value: 0 }), false, noBirthday],
    ["no birthday: IS_NOT_SET", c("AGE", "IS_NOT_SET"), true, noBirthday],
    ["leap-day birthday counts on 1 March", c("AGE", "EQ", { value: 1 }), true, facts({ member: { birthday: "2024-02-29" } })],
    ["source channel", c("SOURCE_CHANNEL", "IN", { values: ["MINI_PROGRAM", "APP"] }), true],
    ["joined before", c("JOINED_AT", "LT", { value: "2024-06-15T00:00:01Z" }), true],
    ["joined at is not after itself", c("JOINED_AT", "GT", { value: "2024-06-15T08:00:00+08:00" }), false],
    ["joined between", c("JOINED_AT", "BETWEEN", { values: ["2024-01-01T00:00:00Z", "2024-06-15T00:00:00Z"] }), true],
    ["days since joined (local days)", c("DAYS_SINCE_JOINED", "EQ", { value: 365 }), true],
    ["tier", c("TIER", "EQ", { value: "LOYAL" }), true],
    ["tier not", c("TIER", "NEQ", { value: "LOYAL" }), false],
    ["points", c("POINTS_BALANCE", "GTE", { value: 120 }), true],
    ["points above", c("POINTS_BALANCE", "GT", { value: 120 }), false],
    ["tags any", c("HAS_TAG", "ANY_OF", { values: ["tea", "vip"] }), true],
    ["tags all", c("HAS_TAG", "ALL_OF", { values: ["coffee", "vip"] }), true],
    ["tags all, one missing", c("HAS_TAG", "ALL_OF", { values: ["coffee", "tea"] }), false],
    ["tags none", c("HAS_TAG", "NONE_OF", { values: ["tea"] }), true],
    ["tags none, one present", c("HAS_TAG", "NONE_OF", { values: ["tea", "vip"] }), false],
    ["untagged member: none of", c("HAS_TAG", "NONE_OF", { values: ["vip"] }), true, facts({ member: { tags: [] } })],
    ["identity on a channel", c("HAS_IDENTITY_ON", "ANY_OF", { values: ["WECOM"] }), true],
    ["identities on both", c("HAS_IDENTITY_ON", "ALL_OF", { values: ["WECOM", "APP"] }), false],
    ["no identity on", c("HAS_IDENTITY_ON", "NONE_OF", { values: ["APP", "SMS"] }), true],
    ["marketing consent", c("MARKETING_CONSENT", "EQ", { value: true }), true],
    ["partner consent", c("PARTNER_SHARING_CONSENT", "EQ", { value: false }), true],
    // RFM all-time, from the member item
    ["days since last order: 23:59:59 five days ago is 5", c("DAYS_SINCE_LAST_ORDER", "EQ", { value: 5 }), true],
    ["never ordered fails recency", c("DAYS_SINCE_LAST_ORDER", "GTE", { value: 0 }), false, noOrders],
    ["never ordered: IS_NOT_SET", c("DAYS_SINCE_LAST_ORDER", "IS_NOT_SET"), true, noOrders],
    ["order count", c("ORDER_COUNT", "EQ", { value: 4 }), true],
    ["order count zero is a value", c("ORDER_COUNT", "EQ", { value: 0 }), true, noOrders],
    ["net spend 350.00", c("NET_SPEND", "EQ", { value: 350 }), true],
    ["net spend above 349.99", c("NET_SPEND", "GT", { value: 349.99 }), true],
    ["AOV 87.50", c("AOV", "EQ", { value: 87.5 }), true],
    ["no orders: no AOV", c("AOV", "GTE", { value: 0 }), false, noOrders],
    ["no orders: AOV IS_NOT_SET", c("AOV", "IS_NOT_SET"), true, noOrders],
    ["last activity is today (local midnight)", c("DAYS_SINCE_LAST_ACTIVITY", "EQ", { value: 0 }), true],
    ["activity stamped in the future counts as today", c("DAYS_SINCE_LAST_ACTIVITY", "EQ", { value: 0 }), true, facts({ member: { lastActiveAt: "2025-06-20T00:00:00.000Z" } })],
    // RFM in a window, from the ACTIVITY item
    ["orders in the last 2 days (yesterday's)", c("ORDER_COUNT", "EQ", { value: 1, ...w(2) }), true],
    ["orders today only", c("ORDER_COUNT", "EQ", { value: 0, ...w(1) }), true],
    ["26 days ago is outside 26 days", c("ORDER_COUNT", "EQ", { value: 1, ...w(26) }), true],
    ["26 days ago is inside 27 days", c("ORDER_COUNT", "EQ", { value: 2, ...w(27) }), true],
    ["orders in a year", c("ORDER_COUNT", "EQ", { value: 4, ...w(365) }), true],
    ["orders in 349 days", c("ORDER_COUNT", "EQ", { value: 3, ...w(349) }), true],
    ["orders in 350 days", c("ORDER_COUNT", "EQ", { value: 4, ...w(350) }), true],
    ["net in 30 days is net of the refund", c("NET_SPEND", "EQ", { value: 250, ...w(30) }), true],
    ["AOV in 30 days", c("AOV", "EQ", { value: 125, ...w(30) }), true],
    ["no orders in the window: no AOV", c("AOV", "IS_NOT_SET", w(1)), true],
    ["member without ACTIVITY has 0 windowed orders", c("ORDER_COUNT", "EQ", { value: 0, ...w(365) }), true, noOrders],
    // events in a window
    ["views today", c("EVENT_COUNT", "EQ", { value: 2, ...w(1), event: { type: "VIEW" } }), true],
    ["views today and yesterday", c("EVENT_COUNT", "EQ", { value: 3, ...w(2), event: { type: "VIEW" } }), true],
    ["views of content c1", c("EVENT_COUNT", "EQ", { value: 2, ...w(7), event: { type: "VIEW", contentId: "c1" } }), true],
    ["views of another content", c("EVENT_COUNT", "EQ", { value: 0, ...w(7), event: { type: "VIEW", contentId: "c2" } }), true],
    ["clicks of campaign g1 in 14 days: excluded", c("EVENT_COUNT", "EQ", { value: 0, ...w(14), event: { type: "CLICK", campaignId: "g1" } }), true],
    ["clicks of campaign g1 in 15 days", c("EVENT_COUNT", "EQ", { value: 1, ...w(15), event: { type: "CLICK", campaignId: "g1" } }), true],
    ["shares in 165 days: excluded", c("EVENT_COUNT", "GTE", { value: 1, ...w(165), event: { type: "SHARE" } }), false],
    ["shares in 166 days", c("EVENT_COUNT", "GTE", { value: 1, ...w(166), event: { type: "SHARE" } }), true],
    // predicted
    ["predicted CLV above 123.45", c("PREDICTED_CLV", "GT", { value: 123.45 }), true],
    ["predicted CLV below 123.46", c("PREDICTED_CLV", "LT", { value: 123.46 }), true],
    ["P(alive)", c("P_ALIVE", "BETWEEN", { values: [0.4, 0.5] }), true],
    ["no CLV item never matches", c("P_ALIVE", "GTE", { value: 0 }), false, noClv],
    ["no CLV item never matches NEQ", c("PREDICTED_CLV", "NEQ", { value: 1 }), false, noClv],
    ["no CLV item: IS_NOT_SET", c("PREDICTED_CLV", "IS_NOT_SET"), true, noClv],
  ])("%s", (_name, rule, expected, f) => {
    expect(run(rule, f ?? base)).toBe(expected);
  });
});

describe("boolean combinations", () => {
  const T = c("TIER", "EQ", { value: "LOYAL" });
  const F = c("TIER", "EQ", { value: "CORE" });

  it.each<[string, unknown, boolean]>([
    ["all true", { all: [T, T] }, true],
    ["all with a false", { all: [T, F] }, false],
    ["any with a true", { any: [F, T] }, true],
    ["any all false", { any: [F, F] }, false],
    ["not", { not: F }, true],
    ["not not", { not: { not: F } }, false],
    ["de Morgan", { not: { any: [F, F] } }, true],
    ["nested", { all: [T, { any: [F, { not: F }] }, { not: { all: [T, F] } }] }, true],
  ])("%s", (_name, rule, expected) => expect(run(rule)).toBe(expected));

  it("agrees with a direct interpreter on 500 random trees up to depth 6", () => {
    // Atoms with known truth for `base`, and a tiny interpreter over the same trees.
    const atoms: [unknown, boolean][] = [
      [T, true],
      [F, false],
      [c("ORDER_COUNT", "GTE", { value: 2, ...w(30) }), true],
      [c("ORDER_COUNT", "GTE", { value: 3, ...w(30) }), false],
      [c("HAS_TAG", "ANY_OF", { values: ["vip"] }), true],
      [c("CITY", "EQ", { value: "Beijing" }), false],
      [c("P_ALIVE", "GT", { value: 0.4 }), true],
      [c("EVENT_COUNT", "GTE", { value: 3, ...w(1), event: { type: "VIEW" } }), false],
    ];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const tree = (depth: number): [unknown, boolean] => {
      const r = random();
      if (depth >= 6 || r < 0.35) return atoms[Math.floor(random() * atoms.length)]!;
      if (r < 0.5) {
        const [inner, value] = tree(depth + 1);
        return [{ not: inner }, !value];
      }
      const children = Array.from({ length: 1 + Math.floor(random() * 3) }, () => tree(depth + 1));
      return r < 0.75
        ? [{ all: children.map((x) => x[0]) }, children.every((x) => x[1])]
        : [{ any: children.map((x) => x[0]) }, children.some((x) => x[1])];
    };
    let checked = 0;
    const outcomes = new Set<boolean>();
    while (checked < 500) {
      const [rule, expected] = tree(1);
      let valid: SegmentRule;
      try {
        valid = validateRule(rule);
      } catch {
        continue; // over 50 conditions: skip
      }
      expect(evaluateRule(valid, base, clock)).toBe(expected);
      outcomes.add(expected);
      checked++;
    }
    expect([...outcomes].sort()).toEqual([false, true]);
  });
});

describe("daily buckets", () => {
  it("numbers local days like luxon does, across DST changes", () => {
    const epoch = DateTime.fromISO("1970-01-01", { zone: "UTC" });
    for (const zone of ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"]) {
      for (let ms = Date.parse("2025-03-01T00:00:00Z"); ms < Date.parse("2025-11-15T00:00:00Z"); ms += 3_607_000) {
        const local = DateTime.fromMillis(ms, { zone });
        const expected = Math.round(DateTime.fromISO(local.toISODate()!, { zone: "UTC" }).diff(epoch, "days").days);
        expect(localDayNumber(ms, zone)).toBe(expected);
      }
    }
  });

  it("trims days before the retention and per-key counts before KEYED_DAYS", () => {
    const a = activity();
    const today = clock.today;
    const keyedDays = () => Object.entries(a.days).filter(([, b]) => b.k).map(([d]) => today - Number(d)).sort((x, y) => x - y);
    expect(keyedDays()).toEqual([0, 14]);
    trimActivity(a, today + KEYED_DAYS - 14); // day "14 ago" is now exactly KEYED_DAYS old
    expect(keyedDays()).toEqual([0]);
    const b = activity();
    const days = () => Object.keys(b.days).map((d) => today - Number(d)).sort((x, y) => x - y);
    expect(days()).toEqual([0, 1, 14, 26, 106, 165, 349]);
    trimActivity(b, today - 349 + ACTIVITY_DAYS - 1); // the oldest day is ACTIVITY_DAYS - 1 days old: kept
    expect(days()).toEqual([0, 1, 14, 26, 106, 165, 349]);
    trimActivity(b, today - 349 + ACTIVITY_DAYS);
    expect(days()).toEqual([0, 1, 14, 26, 106, 165]);
  });

  it("keeps at most MAX_KEYED_PER_DAY content keys a day and flags the rest", () => {
    const a = emptyActivity(ZONE);
    for (let i = 0; i < MAX_KEYED_PER_DAY + 3; i++) addEvent(a, { occurredAt: "2025-06-15T01:00:00Z", type: "VIEW", contentId: `c${i}` }, clock.today);
    const b = a.days[String(clock.today)]!;
    expect(Object.keys(b.k!)).toHaveLength(MAX_KEYED_PER_DAY);
    expect(b.x).toBe(1);
    expect(b.e).toEqual({ VIEW: MAX_KEYED_PER_DAY + 3 });
  });

  it("combines two members' buckets by adding", () => {
    const a = emptyActivity(ZONE);
    addOrder(a, { occurredAt: "2025-06-14T02:00:00Z", amountMinor: 100 });
    addEvent(a, { occurredAt: "2025-06-14T02:00:00Z", type: "VIEW", contentId: "c1" }, clock.today);
    const b = emptyActivity(ZONE);
    addOrder(b, { occurredAt: "2025-06-14T03:00:00Z", amountMinor: 250 });
    addOrder(b, { occurredAt: "2025-06-01T03:00:00Z", amountMinor: 7 });
    addEvent(b, { occurredAt: "2025-06-14T02:00:00Z", type: "VIEW", contentId: "c1" }, clock.today);
    addEvent(b, { occurredAt: "2025-06-14T02:00:00Z", type: "CLICK" }, clock.today);
    const sum = combineActivity(a, b);
    expect(sum.days[String(clock.today - 1)]).toEqual({ o: 2, n: 350, e: { VIEW: 2, CLICK: 1 }, k: { "c|c1|VIEW": 2 } });
    expect(sum.days[String(clock.today - 14)]).toEqual({ o: 1, n: 7 });
    expect(a.days[String(clock.today - 1)]).toEqual({ o: 1, n: 100, e: { VIEW: 1 }, k: { "c|c1|VIEW": 1 } });
  });
});

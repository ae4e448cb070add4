import { describe, expect, it } from "vitest";
import { describeRule, MAX_RULE_CONDITIONS, MAX_RULE_DEPTH, ruleNeeds, validateRule } from "./rule.js";

const c = (field: string, op: string, extra: Record<string, unknown> = {}) => ({ condition: { field, op, ...extra } });

/** The BAD_USER_INPUT error's field path and message, or "OK". */
function problem(rule: unknown): { field?: unknown; message: string } | "OK" {
  try {
    validateRule(rule);
    return "OK";
  } catch (error) {
    const e = error as { code?: string; message: string; details?: { field?: unknown } };
    expect(e.code).toBe("BAD_USER_INPUT");
    return { field: e.details?.field, message: e.message };
  }
}

describe("rule validation", () => {
  it("normalises a valid rule: only the set key, values parsed", () => {
    const rule = validateRule({
      all: [
        c("ORDER_COUNT", "GTE", { value: 2, window: { inLastDays: 90 }, values: null }),
        { any: [c("HAS_TAG", "ANY_OF", { values: [" vip ", "vip", "coffee"] }), c("CITY", "IN", { values: ["Shanghai"] })], all: null },
        { not: c("JOINED_AT", "LT", { value: "2025-01-01T00:00:00+08:00" }) },
        c("EVENT_COUNT", "GTE", { value: 1, window: { inLastDays: 30 }, event: { type: "VIEW", contentId: "c-1", campaignId: null } }),
        c("NET_SPEND", "BETWEEN", { values: [100, 999.99] }),
        c("AOV", "IS_SET"),
      ],
    });
    expect(rule).toEqual({
      all: [
        { condition: { field: "ORDER_COUNT", op: "GTE", value: 2, window: { inLastDays: 90 } } },
        { any: [{ condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip", "coffee"] } }, { condition: { field: "CITY", op: "IN", values: ["Shanghai"] } }] },
        { not: { condition: { field: "JOINED_AT", op: "LT", value: "2024-12-31T16:00:00.000Z" } } },
        { condition: { field: "EVENT_COUNT", op: "GTE", value: 1, window: { inLastDays: 30 }, event: { type: "VIEW", contentId: "c-1" } } },
        { condition: { field: "NET_SPEND", op: "BETWEEN", values: [100, 999.99] } },
        { condition: { field: "AOV", op: "IS_SET" } },
      ],
    });
    expect(describeRule(rule)).toBe(
      'ORDER_COUNT >= 2 in last 90 days AND (HAS_TAG ANY OF ["vip", "coffee"] OR CITY IN ["Shanghai"]) AND NOT (JOINED_AT < "2024-12-31T16:00:00.000Z") AND EVENT_COUNT(VIEW content c-1) >= 1 in last 30 days AND NET_SPEND between 100 and 999.99 AND AOV is set',
    );
    expect(ruleNeeds(rule)).toEqual({ activity: true, clv: false, channels: [], tags: ["coffee", "vip"] });
    expect(ruleNeeds(validateRule(c("P_ALIVE", "GT", { value: 0.5 })))).toEqual({ activity: false, clv: true, channels: [], tags: [] });
    expect(ruleNeeds(validateRule(c("HAS_IDENTITY_ON", "ALL_OF", { values: ["WECOM", "APP"] })))).toEqual({ activity: false, clv: false, channels: ["APP", "WECOM"], tags: [] });
  });

  it.each([
    ["no key", {}, "rule", "give exactly one of all, any, not or condition (got none)"],
    ["two keys", { all: [c("TIER", "EQ", { value: "CORE" })], not: c("TIER", "EQ", { value: "CORE" }) }, "rule", "got all and not"],
    ["unknown key", { every: [] }, "rule", "unknown key every"],
    ["empty all", { all: [] }, "rule.all", "at least one rule"],
    ["unknown field", c("SHOE_SIZE", "EQ", { value: 42 }), "rule.condition.field", "must be one of CITY"],
    ["unknown op", c("TIER", "LIKE", { value: "CORE" }), "rule.condition.op", "must be one of EQ"],
    ["op not valid for field", c("TIER", "GT", { value: "CORE" }), "rule.condition.op", "GT is not valid for TIER; use EQ, NEQ, IN, NOT_IN"],
    ["set op on a scalar", c("ORDER_COUNT", "ANY_OF", { values: [1] }), "rule.condition.op", "ANY_OF is not valid for ORDER_COUNT"],
    ["missing value", c("ORDER_COUNT", "GTE"), "rule.condition.value", "GTE on ORDER_COUNT needs a value"],
    ["values for a single-value op", c("ORDER_COUNT", "GTE", { values: [1] }), "rule.condition.values", "takes one value"],
    ["missing values", c("TIER", "IN", {}), "rule.condition.values", "IN needs at least one value"],
    ["value for a list op", c("TIER", "IN", { value: "CORE" }), "rule.condition.value", "takes values (a list)"],
    ["BETWEEN with one value", c("AGE", "BETWEEN", { values: [18] }), "rule.condition.values", "exactly two values"],
    ["BETWEEN reversed", c("AGE", "BETWEEN", { values: [40, 18] }), "rule.condition.values", "low bound is above"],
    ["IS_SET with a value", c("CITY", "IS_SET", { value: "x" }), "rule.condition", "IS_SET takes no value"],
    ["text for a number", c("ORDER_COUNT", "GTE", { value: "2" }), "rule.condition.value", "ORDER_COUNT compares with a whole number"],
    ["fractional count", c("ORDER_COUNT", "GTE", { value: 1.5 }), "rule.condition.value", "whole number"],
    ["negative count", c("ORDER_COUNT", "GTE", { value: -1 }), "rule.condition.value", "never negative"],
    ["three decimals of money", c("NET_SPEND", "GTE", { value: 1.005 }), "rule.condition.value", "at most two decimals"],
    ["probability above 1", c("P_ALIVE", "GT", { value: 1.5 }), "rule.condition.value", "from 0 to 1"],
    ["bad enum", c("TIER", "EQ", { value: "GOLD" }), "rule.condition.value", "TIER is one of SILENT, ACTIVE, LOYAL, CORE"],
    ["bad channel", c("HAS_IDENTITY_ON", "ANY_OF", { values: ["WECOM", "FAX"] }), "rule.condition.values[1]", "channels are"],
    ["bad tag", c("HAS_TAG", "ANY_OF", { values: ["a#b"] }), "rule.condition.values[0]", "tags are 1-40"],
    ["bad instant", c("JOINED_AT", "GT", { value: "2025-01-01" }), "rule.condition.value", "date-time with a time zone"],
    ["consent as text", c("MARKETING_CONSENT", "EQ", { value: "yes" }), "rule.condition.value", "true or false"],
    ["window on a profile field", c("TIER", "EQ", { value: "CORE", window: { inLastDays: 7 } }), "rule.condition.window", "TIER takes no window"],
    ["window too long", c("ORDER_COUNT", "GTE", { value: 1, window: { inLastDays: 366 } }), "rule.condition.window.inLastDays", "from 1 to 365"],
    ["window of zero days", c("ORDER_COUNT", "GTE", { value: 1, window: { inLastDays: 0 } }), "rule.condition.window.inLastDays", "from 1 to 365"],
    ["event count without window", c("EVENT_COUNT", "GTE", { value: 1, event: { type: "VIEW" } }), "rule.condition.window", "needs a window"],
    ["event count without event", c("EVENT_COUNT", "GTE", { value: 1, window: { inLastDays: 7 } }), "rule.condition.event", "needs an event filter"],
    ["event filter elsewhere", c("ORDER_COUNT", "GTE", { value: 1, event: { type: "VIEW" } }), "rule.condition.event", "only EVENT_COUNT"],
    ["bad event type", c("EVENT_COUNT", "GTE", { value: 1, window: { inLastDays: 7 }, event: { type: "LIKE" } }), "rule.condition.event.type", "must be one of VIEW"],
    ["content and campaign", c("EVENT_COUNT", "GTE", { value: 1, window: { inLastDays: 7 }, event: { type: "VIEW", contentId: "a", campaignId: "b" } }), "rule.condition.event", "not both"],
    ["per-content window too long", c("EVENT_COUNT", "GTE", { value: 1, window: { inLastDays: 91 }, event: { type: "VIEW", contentId: "a" } }), "rule.condition.window.inLastDays", "from 1 to 90"],
    ["nested path", { all: [c("TIER", "EQ", { value: "CORE" }), { any: [{ not: c("AGE", "GT", {}) }] }] }, "rule.all[1].any[0].not.condition.value", "GT on AGE needs a value"],
  ])("rejects %s", (_name, rule, field, message) => {
    const p = problem(rule);
    expect(p).not.toBe("OK");
    expect((p as { field: string }).field).toBe(field);
    expect((p as { message: string }).message).toContain(message);
    expect((p as { message: string }).message.startsWith(`${field}: `)).toBe(true);
  });

  it(`allows nesting ${MAX_RULE_DEPTH} levels deep, not ${MAX_RULE_DEPTH + 1}`, () => {
    const nest = (levels: number): unknown => (levels === 1 ? c("TIER", "EQ", { value: "CORE" }) : { not: nest(levels - 1) });
    expect(problem(nest(MAX_RULE_DEPTH))).toBe("OK");
    expect(problem(nest(MAX_RULE_DEPTH + 1))).toEqual({
      field: "rule.not.not.not.not.not.not",
      message: "rule.not.not.not.not.not.not: rules may nest at most 6 levels deep",
    });
  });

  it(`allows ${MAX_RULE_CONDITIONS} conditions, not ${MAX_RULE_CONDITIONS + 1}`, () => {
    const many = (n: number) => ({ any: Array.from({ length: n }, (_, i) => c("POINTS_BALANCE", "EQ", { value: i })) });
    expect(problem(many(MAX_RULE_CONDITIONS))).toBe("OK");
    expect(problem(many(MAX_RULE_CONDITIONS + 1))).toEqual({ field: "rule.any[50].condition", message: "rule.any[50].condition: a rule may have at most 50 conditions" });
  });

  it("uses the caller's path prefix", () => {
    expect(() => validateRule(c("TIER", "EQ", {}), "input.rule")).toThrow("input.rule.condition.value: EQ on TIER needs a value");
  });
});

import { EVENT_TYPES, type EventType } from "../event/types.js";
import { CHANNELS, GENDERS, TIERS } from "../member/types.js";
import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { MAX_AMOUNT_MAJOR } from "../shared/money.js";
import { toUtcInstant } from "../shared/text.js";
import { COMPARISON_OPS, SEGMENT_FIELDS, type ComparisonOp, type SegmentCondition, type SegmentField, type SegmentRule, type SegmentValue } from "./types.js";

/** Deepest nesting of all / any / not (a lone condition is depth 1). */
export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_CONDITIONS = 50;
export const MAX_CONDITION_VALUES = 100;
/** Longest window over the daily buckets (they are kept 400 days; see activity.ts). */
export const MAX_WINDOW_DAYS = 365;
/** Longest window for event counts of one content item or campaign (kept 90 days). */
export const MAX_KEYED_WINDOW_DAYS = 90;

const NUMBER_OPS: readonly ComparisonOp[] = ["EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN"];
const ENUM_OPS: readonly ComparisonOp[] = ["EQ", "NEQ", "IN", "NOT_IN"];
const SET_OPS: readonly ComparisonOp[] = ["ANY_OF", "ALL_OF", "NONE_OF"];
const PRESENCE_OPS: readonly ComparisonOp[] = ["IS_SET", "IS_NOT_SET"];

/** What a condition's value is: decides parsing, comparison and the error message. */
export type ValueKind = "text" | "enum" | "int" | "count" | "money" | "ratio" | "instant" | "bool" | "tag" | "channel";

/** Which summary a field is read from; preview and refresh read only what a rule needs. */
export type FieldSource = "member" | "activity" | "clv" | "channels";

export interface FieldSpec {
  ops: readonly ComparisonOp[];
  kind: ValueKind;
  enumValues?: readonly string[];
  /** `optional`: without a window the field is all-time (member item); `required`: must have one. */
  window: "none" | "optional" | "required";
  /** EVENT_COUNT only: which events to count. */
  event?: boolean;
  source: FieldSource;
  doc: string;
}

/** The rule language, one row per field. Adding a field = a row here + a getter in evaluate.ts. */
export const FIELD_SPECS: Record<SegmentField, FieldSpec> = {
  CITY: { ops: [...ENUM_OPS, ...PRESENCE_OPS], kind: "text", window: "none", source: "member", doc: "city (case-insensitive)" },
  GENDER: { ops: ENUM_OPS, kind: "enum", enumValues: GENDERS, window: "none", source: "member", doc: "gender" },
  AGE: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "int", window: "none", source: "member", doc: "age in whole years from the birthday, in the brand's time zone" },
  SOURCE_CHANNEL: { ops: ENUM_OPS, kind: "enum", enumValues: CHANNELS, window: "none", source: "member", doc: "channel the member joined through" },
  JOINED_AT: { ops: ["GT", "GTE", "LT", "LTE", "BETWEEN"], kind: "instant", window: "none", source: "member", doc: "join instant" },
  DAYS_SINCE_JOINED: { ops: NUMBER_OPS, kind: "count", window: "none", source: "member", doc: "local days since the join day" },
  TIER: { ops: ENUM_OPS, kind: "enum", enumValues: TIERS, window: "none", source: "member", doc: "tier" },
  POINTS_BALANCE: { ops: NUMBER_OPS, kind: "int", window: "none", source: "member", doc: "points balance" },
  HAS_TAG: { ops: SET_OPS, kind: "tag", window: "none", source: "member", doc: "tags" },
  HAS_IDENTITY_ON: { ops: SET_OPS, kind: "channel", window: "none", source: "channels", doc: "channels with a linked identity" },
  MARKETING_CONSENT: { ops: ["EQ"], kind: "bool", window: "none", source: "member", doc: "marketing consent" },
  PARTNER_SHARING_CONSENT: { ops: ["EQ"], kind: "bool", window: "none", source: "member", doc: "partner-sharing consent" },
  DAYS_SINCE_LAST_ORDER: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "count", window: "none", source: "member", doc: "local days since the last order" },
  ORDER_COUNT: { ops: NUMBER_OPS, kind: "count", window: "optional", source: "member", doc: "orders placed" },
  NET_SPEND: { ops: NUMBER_OPS, kind: "money", window: "optional", source: "member", doc: "net spend in major units (orders minus their refunds)" },
  AOV: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "money", window: "optional", source: "member", doc: "average order value in major units (net spend ÷ orders)" },
  DAYS_SINCE_LAST_ACTIVITY: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "count", window: "none", source: "member", doc: "local days since the last order or event" },
  EVENT_COUNT: { ops: NUMBER_OPS, kind: "count", window: "required", event: true, source: "activity", doc: "engagement events of a type" },
  PREDICTED_CLV: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "money", window: "none", source: "clv", doc: "predicted CLV in major units" },
  P_ALIVE: { ops: [...NUMBER_OPS, ...PRESENCE_OPS], kind: "ratio", window: "none", source: "clv", doc: "probability the member is still a customer (0-1)" },
};

/** A rule as it arrives from GraphQL: every key optional, nulls allowed. */
export interface RuleInput {
  all?: readonly RuleInput[] | null;
  any?: readonly RuleInput[] | null;
  not?: RuleInput | null;
  condition?: ConditionInput | null;
}

export interface ConditionInput {
  field: string;
  op: string;
  value?: unknown;
  values?: readonly unknown[] | null;
  window?: { inLastDays?: number | null } | null;
  event?: { type?: string | null; contentId?: string | null; campaignId?: string | null } | null;
}

function fail(path: string, message: string): never {
  throw new ValidationError(`${path}: ${message}`, path);
}

/**
 * Checks a rule and returns it normalised (only the keys that are set, values parsed: enums
 * upper-case, instants in UTC, tags trimmed). Every error is BAD_USER_INPUT naming the path of
 * the offending part (`rule.all[1].condition.value`) in the message and in `extensions.field`.
 */
export function validateRule(input: unknown, path = "rule"): SegmentRule {
  const counter = { conditions: 0 };
  return node(input, path, 1, counter);
}

function node(input: unknown, path: string, depth: number, counter: { conditions: number }): SegmentRule {
  if (depth > MAX_RULE_DEPTH) fail(path, `rules may nest at most ${MAX_RULE_DEPTH} levels deep`);
  if (typeof input !== "object" || input === null || Array.isArray(input)) fail(path, "must be an object with one of all, any, not or condition");
  const given = Object.entries(input as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  const unknown = given.map(([k]) => k).filter((k) => !["all", "any", "not", "condition"].includes(k));
  if (unknown.length > 0) fail(path, `unknown key ${unknown.join(", ")}`);
  if (given.length !== 1) fail(path, `give exactly one of all, any, not or condition (got ${given.length === 0 ? "none" : given.map(([k]) => k).join(" and ")})`);
  const [key, value] = given[0]!;
  if (key === "all" || key === "any") {
    if (!Array.isArray(value) || value.length === 0) fail(`${path}.${key}`, "must list at least one rule");
    const children = (value as unknown[]).map((child, i) => node(child, `${path}.${key}[${i}]`, depth + 1, counter));
    return key === "all" ? { all: children } : { any: children };
  }
  if (key === "not") return { not: node(value, `${path}.not`, depth + 1, counter) };
  counter.conditions++;
  if (counter.conditions > MAX_RULE_CONDITIONS) fail(`${path}.condition`, `a rule may have at most ${MAX_RULE_CONDITIONS} conditions`);
  return { condition: condition(value as ConditionInput, `${path}.condition`) };
}

function condition(input: ConditionInput, path: string): SegmentCondition {
  if (typeof input !== "object" || input === null) fail(path, "must be an object");
  const field = input.field as SegmentField;
  if (!(SEGMENT_FIELDS as readonly string[]).includes(field)) fail(`${path}.field`, `must be one of ${SEGMENT_FIELDS.join(", ")}`);
  const op = input.op as ComparisonOp;
  if (!(COMPARISON_OPS as readonly string[]).includes(op)) fail(`${path}.op`, `must be one of ${COMPARISON_OPS.join(", ")}`);
  const spec = FIELD_SPECS[field];
  if (!spec.ops.includes(op)) fail(`${path}.op`, `${op} is not valid for ${field}; use ${spec.ops.join(", ")}`);

  const hasValue = input.value !== null && input.value !== undefined;
  const hasValues = input.values !== null && input.values !== undefined;
  const out: SegmentCondition = { field, op };
  if (op === "IS_SET" || op === "IS_NOT_SET") {
    if (hasValue || hasValues) fail(path, `${op} takes no value or values`);
  } else if (op === "BETWEEN") {
    if (hasValue) fail(`${path}.value`, "BETWEEN takes `values: [low, high]`, not value");
    if (!hasValues || input.values!.length !== 2) fail(`${path}.values`, "BETWEEN needs exactly two values: [low, high] (both included)");
    const [low, high] = input.values!.map((v, i) => parseValue(spec, field, v, `${path}.values[${i}]`)) as [SegmentValue, SegmentValue];
    if (low > high) fail(`${path}.values`, "the low bound is above the high bound");
    out.values = [low, high];
  } else if (op === "IN" || op === "NOT_IN" || op === "ANY_OF" || op === "ALL_OF" || op === "NONE_OF") {
    if (hasValue) fail(`${path}.value`, `${op} takes values (a list), not value`);
    if (!hasValues || input.values!.length === 0) fail(`${path}.values`, `${op} needs at least one value`);
    if (input.values!.length > MAX_CONDITION_VALUES) fail(`${path}.values`, `at most ${MAX_CONDITION_VALUES} values`);
    out.values = [...new Set(input.values!.map((v, i) => parseValue(spec, field, v, `${path}.values[${i}]`)))];
  } else {
    if (hasValues) fail(`${path}.values`, `${op} takes one value, not values`);
    if (!hasValue) fail(`${path}.value`, `${op} on ${field} needs a value`);
    out.value = parseValue(spec, field, input.value, `${path}.value`);
  }

  const hasWindow = input.window !== null && input.window !== undefined;
  if (hasWindow && spec.window === "none") fail(`${path}.window`, `${field} takes no window`);
  if (!hasWindow && spec.window === "required") fail(`${path}.window`, `${field} needs a window: { inLastDays: N }`);
  const hasEvent = input.event !== null && input.event !== undefined;
  if (hasEvent && !spec.event) fail(`${path}.event`, `only EVENT_COUNT takes an event filter`);
  if (!hasEvent && spec.event) fail(`${path}.event`, `${field} needs an event filter: { type }`);
  if (hasEvent) {
    const e = input.event!;
    if (!e.type || !(EVENT_TYPES as readonly string[]).includes(e.type)) fail(`${path}.event.type`, `must be one of ${EVENT_TYPES.join(", ")}`);
    const filter: SegmentCondition["event"] = { type: e.type as EventType };
    for (const key of ["contentId", "campaignId"] as const) {
      const id = e[key];
      if (id !== null && id !== undefined) {
        if (!CLIENT_ID_PATTERN.test(id)) fail(`${path}.event.${key}`, "is not a valid id");
        filter[key] = id;
      }
    }
    if (filter.contentId && filter.campaignId) fail(`${path}.event`, "give contentId or campaignId, not both");
    out.event = filter;
  }
  if (hasWindow) {
    const days = input.window!.inLastDays;
    const max = out.event?.contentId || out.event?.campaignId ? MAX_KEYED_WINDOW_DAYS : MAX_WINDOW_DAYS;
    if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > max) {
      fail(`${path}.window.inLastDays`, `must be a whole number of days from 1 to ${max}${max === MAX_KEYED_WINDOW_DAYS ? " (per content item or campaign)" : ""}`);
    }
    out.window = { inLastDays: days as number };
  }
  return out;
}

function parseValue(spec: FieldSpec, field: SegmentField, value: unknown, path: string): SegmentValue {
  switch (spec.kind) {
    case "bool":
      if (typeof value !== "boolean") fail(path, `${field} compares with true or false`);
      return value as boolean;
    case "int":
    case "count": {
      if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(path, `${field} compares with a whole number`);
      if (spec.kind === "count" && (value as number) < 0) fail(path, `${field} is never negative`);
      return value as number;
    }
    case "money": {
      if (typeof value !== "number" || !Number.isFinite(value)) fail(path, `${field} compares with an amount in major units (e.g. 99.5)`);
      const n = value as number;
      if (n < 0 || n > MAX_AMOUNT_MAJOR * 1000) fail(path, `${field} amounts must be between 0 and ${MAX_AMOUNT_MAJOR * 1000}`);
      if (Math.abs(Math.round(n * 100) - n * 100) > 1e-6) fail(path, "amounts have at most two decimals");
      return n;
    }
    case "ratio":
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) fail(path, `${field} compares with a number from 0 to 1`);
      return value as number;
    case "instant":
      if (typeof value !== "string") fail(path, `${field} compares with an ISO-8601 date-time`);
      try {
        return toUtcInstant(value as string, path);
      } catch {
        return fail(path, `${field} compares with an ISO-8601 date-time with a time zone (e.g. 2025-01-01T00:00:00+08:00)`);
      }
    case "enum": {
      if (typeof value !== "string" || !spec.enumValues!.includes(value)) fail(path, `${field} is one of ${spec.enumValues!.join(", ")}`);
      return value as string;
    }
    case "channel":
      if (typeof value !== "string" || !(CHANNELS as readonly string[]).includes(value)) fail(path, `channels are ${CHANNELS.join(", ")}`);
      return value as string;
    case "tag":
      if (typeof value !== "string") fail(path, "tags are text");
      try {
        return mv.tag(value as string);
      } catch {
        return fail(path, "tags are 1-40 characters without # or control characters");
      }
    case "text": {
      if (typeof value !== "string" || value.trim().length === 0 || value.trim().length > 60) fail(path, `${field} compares with text of 1-60 characters`);
      return (value as string).trim();
    }
  }
}

/** Every condition of a rule, depth first. */
export function conditionsOf(rule: SegmentRule): SegmentCondition[] {
  if ("condition" in rule) return [rule.condition];
  if ("not" in rule) return conditionsOf(rule.not);
  return ("all" in rule ? rule.all : rule.any).flatMap(conditionsOf);
}

export interface RuleNeeds {
  /** ACTIVITY items (windowed RFM, event counts). */
  activity: boolean;
  /** CLV items (predicted fields). */
  clv: boolean;
  /** Channels whose identity lists the rule reads. */
  channels: string[];
  /** Tags the rule tests. */
  tags: string[];
}

/** What a rule reads besides the member items: preview and refresh fetch only that. */
export function ruleNeeds(rule: SegmentRule): RuleNeeds {
  const needs: RuleNeeds = { activity: false, clv: false, channels: [], tags: [] };
  for (const c of conditionsOf(rule)) {
    const spec = FIELD_SPECS[c.field];
    if (spec.source === "activity" || c.window) needs.activity = true;
    if (spec.source === "clv") needs.clv = true;
    if (c.field === "HAS_IDENTITY_ON") needs.channels.push(...(c.values as string[]));
    if (c.field === "HAS_TAG") needs.tags.push(...(c.values as string[]));
  }
  needs.channels = [...new Set(needs.channels)].sort();
  needs.tags = [...new Set(needs.tags)].sort();
  return needs;
}

const show = (v: SegmentValue) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** A one-line reading of a rule for consoles and logs: `ORDER_COUNT >= 2 in last 90 days AND NOT (...)`. */
export function describeRule(rule: SegmentRule): string {
  if ("condition" in rule) return describeCondition(rule.condition);
  if ("not" in rule) return `NOT (${describeRule(rule.not)})`;
  const parts = ("all" in rule ? rule.all : rule.any).map((r) => ("condition" in r || "not" in r ? describeRule(r) : `(${describeRule(r)})`));
  return parts.length === 1 ? parts[0]! : parts.join("all" in rule ? " AND " : " OR ");
}

const SYMBOL: Partial<Record<ComparisonOp, string>> = { EQ: "=", NEQ: "!=", GT: ">", GTE: ">=", LT: "<", LTE: "<=" };

function describeCondition(c: SegmentCondition): string {
  let subject: string = c.field;
  if (c.event) subject += `(${c.event.type}${c.event.contentId ? ` content ${c.event.contentId}` : ""}${c.event.campaignId ? ` campaign ${c.event.campaignId}` : ""})`;
  let text: string;
  if (c.op === "IS_SET" || c.op === "IS_NOT_SET") text = `${subject} ${c.op === "IS_SET" ? "is set" : "is not set"}`;
  else if (c.op === "BETWEEN") text = `${subject} between ${show(c.values![0]!)} and ${show(c.values![1]!)}`;
  else if (c.values) text = `${subject} ${c.op.replace("_", " ")} [${c.values.map(show).join(", ")}]`;
  else text = `${subject} ${SYMBOL[c.op] ?? c.op} ${show(c.value!)}`;
  return c.window ? `${text} in last ${c.window.inLastDays} days` : text;
}

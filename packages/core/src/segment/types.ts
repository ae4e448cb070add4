/**
 * Segments: saved, rule-based audiences. The rule language is a tree of boolean nodes over
 * conditions `{ field, op, value | values, window?, event? }`; a new field is a new enum value
 * and a row in `FIELD_SPECS` (rule.ts) plus a getter in evaluate.ts, never a new shape.
 * Design, keys and limits: docs/segments.md.
 */
import type { EventType } from "../event/types.js";

export const SEGMENT_FIELDS = [
  // profile (the member item)
  "CITY",
  "GENDER",
  "AGE",
  "SOURCE_CHANNEL",
  "JOINED_AT",
  "DAYS_SINCE_JOINED",
  "TIER",
  "POINTS_BALANCE",
  "HAS_TAG",
  "HAS_IDENTITY_ON",
  "MARKETING_CONSENT",
  "PARTNER_SHARING_CONSENT",
  // RFM (member item; with a window, the ACTIVITY item)
  "DAYS_SINCE_LAST_ORDER",
  "ORDER_COUNT",
  "NET_SPEND",
  "AOV",
  "DAYS_SINCE_LAST_ACTIVITY",
  // events in a window (the ACTIVITY item)
  "EVENT_COUNT",
  // predicted (the CLV item the predictive-clv job writes)
  "PREDICTED_CLV",
  "P_ALIVE",
] as const;
export type SegmentField = (typeof SEGMENT_FIELDS)[number];

export const COMPARISON_OPS = ["EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN", "IN", "NOT_IN", "ANY_OF", "ALL_OF", "NONE_OF", "IS_SET", "IS_NOT_SET"] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A scalar in a condition: text, number or boolean (which one depends on the field). */
export type SegmentValue = string | number | boolean;

export interface SegmentWindow {
  /** The last N local days, today included (1-365). */
  inLastDays: number;
}

export interface SegmentEventFilter {
  type: EventType;
  contentId?: string;
  campaignId?: string;
}

export interface SegmentCondition {
  field: SegmentField;
  op: ComparisonOp;
  value?: SegmentValue;
  values?: SegmentValue[];
  window?: SegmentWindow;
  event?: SegmentEventFilter;
}

/** Exactly one key is set. */
export type SegmentRule = { all: SegmentRule[] } | { any: SegmentRule[] } | { not: SegmentRule } | { condition: SegmentCondition };

export const SEGMENT_STATUSES = ["ACTIVE", "ARCHIVED"] as const;
export type SegmentStatus = (typeof SEGMENT_STATUSES)[number];

/** A saved segment as stored (key attributes stripped). */
export interface Segment {
  tenantId: string;
  segmentId: string;
  name: string;
  description?: string;
  rule: SegmentRule;
  status: SegmentStatus;
  /** Tag given (source RULE) to members on refresh, and taken from those who left. */
  applyTag?: string;
  /** Bumped by every rule change; a refresh only lands if the rule it used is still current. */
  revision: number;
  /** Membership version readers use; 0 = never computed. */
  currentVersion: number;
  /** Last version number handed out to a refresh (each refresh writes its own version). */
  versionCounter: number;
  /** Membership versions up to this one (but the current) have been deleted. */
  cleanedThrough?: number;
  /** Rule revision the current membership was computed with. */
  computedRevision?: number;
  size?: number;
  computedAt?: string;
  durationMs?: number;
  /** Members who entered / left with the last refresh. */
  entered?: number;
  left?: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  archivedAt?: string;
}

/** One point of a segment's size history (one per refresh that landed). */
export interface SegmentSizePoint {
  segmentId: string;
  version: number;
  size: number;
  entered: number;
  left: number;
  computedAt: string;
  durationMs: number;
  /** How it ran: `REQUEST` (refreshSegment) or `JOB` (the segments job). */
  via: "REQUEST" | "JOB";
}

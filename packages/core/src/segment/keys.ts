/**
 * Keys of segment items (docs/segments.md has the table). Every partition key starts with
 * `T#<tenant>#`, built with a checked tenant id; segment ids are checked here too, so no id can
 * reach into another key.
 *
 * | Item | pk | sk | gsi1 |
 * |---|---|---|---|
 * | Segment | `T#t#SEG#<id>` | `SEGMENT` | `T#t#SEGMENTS` or `T#t#SEGMENTS#ARCHIVED` / `<createdAt>#<id>` |
 * | Size point | `T#t#SEG#<id>` | `SIZE#<computedAt>#<version:10>` | |
 * | Membership | `T#t#SEG#<id>#V#<version>#<shard>` | `M#<member>` | `T#t#M#<member>` / `SEGMENT#<id>#<version>` |
 * | Member's ACTIVITY | `T#t#M#<member>` | `ACTIVITY` | |
 * | Member's CLV (predictive-clv job) | `T#t#M#<member>` | `CLV` | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import type { SegmentStatus } from "./types.js";

/** Segment ids fit a job's parameter key (`segments.<id>`): letters, digits, `_`, `-`. */
export const SEGMENT_ID = /^[A-Za-z0-9_-]{1,40}$/;

export function assertSegmentId(segmentId: string, field = "id"): string {
  if (!SEGMENT_ID.test(segmentId)) throw new ValidationError(`${field} is not a segment id`, field);
  return segmentId;
}

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;
const pad = (n: number) => String(n).padStart(10, "0");

export const CLV_SK = "CLV";
export const SEGMENT_SK = "SEGMENT";
export const SIZE_PREFIX = "SIZE#";
export const MEMBERSHIP_PREFIX = "M#";
export const MEMBER_SEGMENTS_PREFIX = "SEGMENT#";

export const segmentKeys = {
  partition: (tenantId: string, segmentId: string) => `${t(tenantId)}#SEG#${assertSegmentId(segmentId)}`,
  segment: (tenantId: string, segmentId: string): Keys => ({ pk: segmentKeys.partition(tenantId, segmentId), sk: SEGMENT_SK }),
  /** gsi1: a tenant's segments, newest created first; archived ones in their own list. */
  list: (tenantId: string, status: SegmentStatus) => (status === "ACTIVE" ? `${t(tenantId)}#SEGMENTS` : `${t(tenantId)}#SEGMENTS#ARCHIVED`),
  listSort: (createdAt: string, segmentId: string) => `${createdAt}#${segmentId}`,
  sizePoint: (tenantId: string, segmentId: string, computedAt: string, version: number): Keys => ({
    pk: segmentKeys.partition(tenantId, segmentId),
    sk: `${SIZE_PREFIX}${computedAt}#${pad(version)}`,
  }),
  /** One shard of one membership version (the shard is the member's list shard). */
  version: (tenantId: string, segmentId: string, version: number, shard: string) => `${segmentKeys.partition(tenantId, segmentId)}#V#${version}#${shard}`,
  membership: (tenantId: string, segmentId: string, version: number, shard: string, memberId: string): Keys => ({
    pk: segmentKeys.version(tenantId, segmentId, version, shard),
    sk: `${MEMBERSHIP_PREFIX}${memberId}`,
  }),
  /** gsi1 sort key under the member's partition key: a member's segment memberships. */
  memberSegmentSort: (segmentId: string, version: number) => `${MEMBER_SEGMENTS_PREFIX}${segmentId}#${version}`,
  clv: (tenantId: string, memberId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: CLV_SK }),
};

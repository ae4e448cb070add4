/**
 * Keys of content items (docs/content.md has the table). Every partition key starts with
 * `T#<tenant>#` built from a checked tenant id; content ids are client-style ids (no `#`).
 *
 * | Item | pk | sk |
 * |---|---|---|
 * | Content item | `T#t#CONTENT#<id>` | `CONTENT` |
 * | Engagement counter shard | `T#t#CONTENT#<id>` | `STATS#<shard>` |
 * | Audience members reached (at the audience's refresh) | `T#t#CONTENT#<id>` | `AUDIENCE` |
 * | List entry | `T#t#CONTENTS#<status or ANY>#<dimension>#<value>` | `<sortAt>#<id>` |
 * | Member reached by an item | `T#t#M#<member>` | `CREACH#<id>` |
 * | Pyramid counts | `T#t` | `CONTENT_COUNTS` |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

export const CONTENT_SK = "CONTENT";
export const STATS_PREFIX = "STATS#";
export const REACH_PREFIX = "CREACH#";
export const AUDIENCE_SK = "AUDIENCE";

/** Counter shards per item: one popular item's events spread over this many items. */
export const STATS_SHARDS = 4;

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertContentId(contentId: string, field = "id"): string {
  if (!CLIENT_ID_PATTERN.test(contentId)) throw new ValidationError(`${field} is not a content id`, field);
  return contentId;
}

export const contentKeys = {
  partition: (tenantId: string, contentId: string) => `${t(tenantId)}#CONTENT#${assertContentId(contentId)}`,
  item: (tenantId: string, contentId: string): Keys => ({ pk: contentKeys.partition(tenantId, contentId), sk: CONTENT_SK }),
  audience: (tenantId: string, contentId: string): Keys => ({ pk: contentKeys.partition(tenantId, contentId), sk: AUDIENCE_SK }),
  stats: (tenantId: string, contentId: string, shard: number): Keys => ({ pk: contentKeys.partition(tenantId, contentId), sk: `${STATS_PREFIX}${shard}` }),
  /** One list: items of a status (or `ANY`) having one value of one dimension (or `ALL`). */
  list: (tenantId: string, status: string, dimension: string, value: string) => `${t(tenantId)}#CONTENTS#${status}#${dimension}#${value}`,
  listSort: (sortAt: string, contentId: string) => `${sortAt}#${contentId}`,
  reach: (tenantId: string, memberId: string, contentId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `${REACH_PREFIX}${contentId}` }),
  counts: (tenantId: string): Keys => ({ pk: t(tenantId), sk: "CONTENT_COUNTS" }),
};

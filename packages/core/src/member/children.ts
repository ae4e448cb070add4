import { keys, SK } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import type { Identity } from "./types.js";

/** A member's identities (gsi1, bounded by MAX_IDENTITIES_PER_MEMBER). */
export async function listIdentities(tenantId: string, memberId: string): Promise<Identity[]> {
  const items = await queryAll<Identity>({ index: "gsi1", pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.identity });
  return items.map(({ tenantId: t, memberId: m, channel, externalId, linkedAt }) => ({ tenantId: t, memberId: m, channel, externalId, linkedAt }));
}

export interface MemberTagRecord {
  tag: string;
  source: "MANUAL" | "RULE" | "IMPORT";
  taggedAt: string;
}

/** A member's tag items (its own partition, bounded by MAX_TAGS_PER_MEMBER). */
export async function listTagRecords(tenantId: string, memberId: string, consistent = false): Promise<MemberTagRecord[]> {
  const items = await queryAll<MemberTagRecord>({ pk: keys.memberPartition(tenantId, memberId), skPrefix: SK.tag }, consistent);
  return items.map(({ tag, source, taggedAt }) => ({ tag, source, taggedAt }));
}

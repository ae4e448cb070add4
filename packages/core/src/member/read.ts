import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { NotFoundError } from "../shared/errors.js";
import { piiIndexer } from "../pii/cipher.js";
import { memberKeyOf } from "./child-items.js";
import { fromMemberItems } from "./item.js";
import type { Channel, Member } from "./types.js";

/** Longest chain of merges followed when resolving (a merged member's survivor may merge again). */
const MAX_MERGE_HOPS = 5;

export async function findMember(tenantId: string, memberId: string, consistent = false): Promise<Member | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.member(tenantId, memberId), ConsistentRead: consistent }),
  );
  return out.Item ? (await fromMemberItems(tenantId, [out.Item]))[0] : undefined;
}

export async function getMember(tenantId: string, memberId: string, consistent = false): Promise<Member> {
  const member = await findMember(tenantId, memberId, consistent);
  if (!member) throw new NotFoundError("Member", memberId);
  return member;
}

/** Many members by id in BatchGetItem calls; the result is aligned with `ids` (undefined if absent). */
export async function getMembers(tenantId: string, ids: readonly string[]): Promise<(Member | undefined)[]> {
  const items = await batchGet<Record<string, unknown>>(ids.map((id) => keys.member(tenantId, id)));
  const byId = new Map((await fromMemberItems(tenantId, items)).map((m) => [m.memberId, m]));
  return ids.map((id) => byId.get(id));
}

/** Follows `mergedInto` so an id of a merged duplicate lands on the surviving member. */
export async function resolveMember(tenantId: string, memberId: string): Promise<Member | undefined> {
  let member = await findMember(tenantId, memberId);
  for (let hop = 0; member?.status === "MERGED" && member.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    member = await findMember(tenantId, member.mergedInto);
  }
  return member;
}

export async function memberIdByIdentity(tenantId: string, channel: Channel, externalId: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.identity(tenantId, channel, externalId), ProjectionExpression: "memberId" }),
  );
  return out.Item?.memberId as string | undefined;
}

export async function memberByIdentity(tenantId: string, channel: Channel, externalId: string): Promise<Member | undefined> {
  const memberId = await memberIdByIdentity(tenantId, channel, externalId);
  return memberId ? resolveMember(tenantId, memberId) : undefined;
}

export type MemberKeyKind = "PHONE" | "CUSTOMER_NO";

/** The member holding a phone (E.164, looked up by its blind index) or customer number. */
export async function memberIdByKey(tenantId: string, kind: MemberKeyKind, value: string): Promise<string | undefined> {
  let key = keys.memberKey(tenantId, kind, value);
  if (kind === "PHONE") {
    const indexer = await piiIndexer(tenantId);
    if (!indexer) return undefined; // no keyring: this tenant has never stored a phone
    key = memberKeyOf(indexer, kind, value);
  }
  const out = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: key, ProjectionExpression: "memberId" }),
  );
  return out.Item?.memberId as string | undefined;
}

export async function memberByKey(tenantId: string, kind: MemberKeyKind, value: string): Promise<Member | undefined> {
  const memberId = await memberIdByKey(tenantId, kind, value);
  return memberId ? resolveMember(tenantId, memberId) : undefined;
}

import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { ValidationError } from "../shared/errors.js";
import { tagItem } from "./child-items.js";
import { changeMember } from "./mutate.js";
import { MAX_TAGS_PER_MEMBER, type Member } from "./types.js";
import * as v from "./validate.js";

/**
 * Adds and removes tags. The member keeps its tag list (for display and segment rules) and
 * each tag is also an item in the member's partition indexed by tag (members with a tag);
 * both change in one transaction.
 */
export async function changeTags(
  tenantId: string,
  memberId: string,
  change: { add?: string[] | null; remove?: string[] | null; source?: "MANUAL" | "RULE" | "IMPORT" },
): Promise<Member> {
  const add = v.tags(change.add);
  const remove = v.tags(change.remove);
  if (add.length === 0 && remove.length === 0) throw new ValidationError("give at least one tag to add or remove", "tags");
  return changeMember(tenantId, memberId, (member) => {
    const current = new Set(member.tags);
    const toAdd = add.filter((t) => !current.has(t) && !remove.includes(t));
    const toRemove = remove.filter((t) => current.has(t));
    const next = [...member.tags.filter((t) => !toRemove.includes(t)), ...toAdd];
    if (next.length > MAX_TAGS_PER_MEMBER) throw new ValidationError(`a member may have at most ${MAX_TAGS_PER_MEMBER} tags`, "tags");
    const now = new Date().toISOString();
    const table = tableName();
    const items: TransactItem[] = [
      ...toAdd.map((tag) => ({ Put: { TableName: table, Item: tagItem(member, tag, change.source ?? "MANUAL", now) } })),
      ...toRemove.map((tag) => ({ Delete: { TableName: table, Key: keys.memberTag(tenantId, memberId, tag) } })),
    ];
    return { member: { set: { tags: next } }, items, result: { ...member, tags: next, version: member.version + 1, updatedAt: now } };
  });
}

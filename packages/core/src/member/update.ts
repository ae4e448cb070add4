import { tableName } from "../db/client.js";
import type { TransactItem } from "../db/transact.js";
import { ConflictError } from "../shared/errors.js";
import { piiWriter } from "../pii/cipher.js";
import { identityItem, memberKeyItem, memberKeyOf, tagItem } from "./child-items.js";
import { listIdentities, listTagRecords } from "./children.js";
import { memberIndexKeys, sealProfile } from "./item.js";
import { changeMember } from "./mutate.js";
import { memberIdByKey } from "./read.js";
import type { Member } from "./types.js";
import * as v from "./validate.js";

export type UpdateMemberInput = v.ProfileFields;

const CLEARABLE = ["name", "phone", "email", "birthday", "city", "customerNo"] as const;

/**
 * Updates profile fields. A new phone or customer number claims its unique key (and frees the
 * old one) in the same transaction; a new join time moves the member, its tags and its
 * identities in the sorted lists, also in the same transaction.
 */
export async function updateMember(tenantId: string, memberId: string, input: UpdateMemberInput): Promise<Member> {
  const p = v.profile(input);
  if (p.sourceChannel === null) throw new ConflictError("sourceChannel cannot be cleared");
  if (p.joinedAt === null) throw new ConflictError("joinedAt cannot be cleared");
  const cipher = await piiWriter(tenantId);
  return changeMember(tenantId, memberId, async (member) => {
    const table = tableName();
    const now = new Date().toISOString();
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    const items: TransactItem[] = [];
    for (const field of CLEARABLE) {
      const value = p[field];
      if (value === undefined || value === member[field]) continue;
      if (value === null) remove.push(field);
      else set[field] = value;
    }
    if (p.gender) set.gender = p.gender;
    if (p.sourceChannel) set.sourceChannel = p.sourceChannel;

    for (const kind of ["PHONE", "CUSTOMER_NO"] as const) {
      const field = kind === "PHONE" ? "phone" : "customerNo";
      const next = p[field];
      const previous = member[field];
      if (next === undefined || next === previous) continue;
      if (previous) {
        items.push({
          Delete: { TableName: table, Key: memberKeyOf(cipher, kind, previous), ConditionExpression: "memberId = :me", ExpressionAttributeValues: { ":me": memberId } },
        });
      }
      if (next) items.push({ Put: { TableName: table, Item: memberKeyItem(cipher, kind, next, memberId, now), ConditionExpression: "attribute_not_exists(pk)" } });
    }

    const joinedAt = p.joinedAt && p.joinedAt !== member.joinedAt ? p.joinedAt : undefined;
    if (joinedAt) {
      const moved = { ...member, joinedAt };
      Object.assign(set, { joinedAt }, memberIndexKeys(moved));
      const [identities, tags] = await Promise.all([listIdentities(tenantId, memberId), listTagRecords(tenantId, memberId, true)]);
      for (const idn of identities) items.push({ Put: { TableName: table, Item: identityItem(moved, idn, idn.linkedAt) } });
      for (const t of tags) items.push({ Put: { TableName: table, Item: tagItem(moved, t.tag, t.source, t.taggedAt) } });
    }
    const updated: Member = { ...member, ...(set as Partial<Member>), version: member.version + 1, updatedAt: now };
    for (const field of remove) delete (updated as unknown as Record<string, unknown>)[field];
    return {
      // Phone and email are written encrypted; the result keeps them in plaintext.
      member: { set: { ...set, ...sealProfile(cipher, set) }, remove },
      items,
      result: updated,
      explain: async () => {
        for (const kind of ["PHONE", "CUSTOMER_NO"] as const) {
          const value = kind === "PHONE" ? p.phone : p.customerNo;
          if (!value) continue;
          const owner = await memberIdByKey(tenantId, kind, value);
          if (owner && owner !== memberId) {
            return new ConflictError(`this ${kind === "PHONE" ? "phone number" : "customer number"} belongs to another member`, { memberId: owner, field: kind === "PHONE" ? "phone" : "customerNo" });
          }
        }
        return new ConflictError("the member changed at the same time; try again");
      },
    };
  });
}

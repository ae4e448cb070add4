import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { backoff, transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { buildUpdate, type UpdateSpec } from "../db/update.js";
import { ConflictError, RetryableError } from "../shared/errors.js";
import { getMember } from "./read.js";
import type { Member } from "./types.js";

const MAX_ATTEMPTS = 25;

export interface MemberChange<R> {
  /** The member's own update; its version condition is added here. */
  member: UpdateSpec;
  /** Other items written in the same transaction. */
  items?: TransactItem[];
  result: R;
  /** Maps a failed condition on `items[i]` to a client error. */
  explain?: (error: TransactionCancelled) => Promise<Error> | Error;
}

/**
 * Optimistic concurrency for member writes: read the member (strongly consistent), plan the
 * change, write it in one transaction that only succeeds if the member's version is unchanged,
 * and start over if someone else wrote first. Point balance changes use ADD with a balance
 * condition instead and never bump the version, so they do not contend with this.
 */
export async function changeMember<R>(
  tenantId: string,
  memberId: string,
  plan: (member: Member) => Promise<MemberChange<R>> | MemberChange<R>,
  options: { allowInactive?: boolean; first?: Member } = {},
): Promise<R> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // `first`: the caller's own strongly consistent read of this member, used by the first
    // attempt instead of reading again (the version condition still guards the write).
    const member = attempt === 0 && options.first?.memberId === memberId ? options.first : await getMember(tenantId, memberId, true);
    if (!options.allowInactive && member.status !== "ACTIVE") {
      throw new ConflictError(`member ${memberId} is ${member.status.toLowerCase()}`, { memberId, mergedInto: member.mergedInto });
    }
    const change = await plan(member);
    const now = new Date().toISOString();
    const update = buildUpdate({
      ...change.member,
      set: { ...change.member.set, updatedAt: now },
      add: { ...change.member.add, version: 1 },
      condition: ["#ver = :ver", change.member.condition].filter(Boolean).join(" AND "),
      names: { ...change.member.names, "#ver": "version" },
      values: { ...change.member.values, ":ver": member.version },
    });
    const items: TransactItem[] = [{ Update: { TableName: tableName(), Key: keys.member(tenantId, memberId), ...update } }, ...(change.items ?? [])];
    try {
      await transact(items);
      return change.result;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedCondition(0) && !error.reasons.slice(1).includes("ConditionalCheckFailed")) {
        await backoff(Math.min(attempt, 5));
        continue;
      }
      if (change.explain) {
        // Shift reasons so the explainer indexes its own items.
        throw await change.explain(new TransactionCancelled(error.reasons.slice(1)));
      }
      throw new ConflictError("the change conflicts with the current data; reload and try again");
    }
  }
  throw new RetryableError("the member is being changed by many requests at once; try again");
}

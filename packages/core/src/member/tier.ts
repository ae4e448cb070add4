import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { newId } from "../shared/ids.js";
import { changeMember } from "./mutate.js";
import type { Member, Tier } from "./types.js";
import * as v from "./validate.js";

export interface TierChange {
  changeId: string;
  from: Tier;
  to: Tier;
  reason: string;
  actor: string;
  changedAt: string;
}

/**
 * Sets a member's tier and records the change (from, to, why, who). The member moves to the
 * new tier's list in the same write. Setting the tier it already has records nothing.
 */
export async function setTier(tenantId: string, memberId: string, tierValue: string, by: { actor: string; reason?: string }): Promise<Member> {
  const tier = v.tier(tierValue);
  return changeMember(tenantId, memberId, (member) => {
    if (member.tier === tier) return { member: {}, result: member };
    const now = new Date().toISOString();
    const change: TierChange = { changeId: newId("tc"), from: member.tier, to: tier, reason: by.reason ?? "MANUAL", actor: by.actor, changedAt: now };
    return {
      member: { set: { tier, tierUpdatedAt: now, gsi2pk: keys.membersByTier(tenantId, tier, member.listShard) } },
      items: [{ Put: { TableName: tableName(), Item: { ...keys.tierChange(tenantId, memberId, change.changeId), tenantId, memberId, ...change } } }],
      result: { ...member, tier, tierUpdatedAt: now, version: member.version + 1, updatedAt: now },
    };
  });
}

import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { changeMember, type MemberChange } from "./mutate.js";
import { findMember } from "./read.js";
import type { Member } from "./types.js";
import * as v from "./validate.js";

/** Referral chains longer than this are refused (and keep the cycle check bounded). */
const MAX_CHAIN = 50;

/**
 * Records who referred a member. Once set it is not changed (referral rewards depend on it).
 * Refused: self-referral, an inactive referrer, and cycles (the referrer was, directly or
 * through others, referred by this member). The referrer's version is checked in the same
 * transaction, so two opposite referrals recorded at the same time cannot both pass.
 */
export async function setReferrer(tenantId: string, memberId: string, referrerIdValue: string): Promise<Member> {
  const referrerId = v.memberId(referrerIdValue, "referrerId");
  return changeMember(tenantId, memberId, (member) => planReferrer(tenantId, member, referrerId));
}

/**
 * The member change that sets `referrerId` on `member` (read inside `changeMember`), with the
 * rules above; the referral campaign (referral/record.ts) adds its own items to it. When the
 * member already has this referrer the change is empty.
 */
export async function planReferrer(tenantId: string, member: Member, referrerId: string): Promise<MemberChange<Member>> {
  const memberId = member.memberId;
  if (referrerId === memberId) throw new ValidationError("a member cannot refer themselves", "referrerId");
  if (member.referrerId === referrerId) return { member: {}, result: member };
  if (member.referrerId) throw new ConflictError(`member ${memberId} was already referred by ${member.referrerId}`);
  const referrer = await findMember(tenantId, referrerId, true);
  if (!referrer || referrer.status !== "ACTIVE") throw new ValidationError(`referrer ${referrerId} is not an active member`, "referrerId");
  let hop: Member | undefined = referrer;
  for (let depth = 0; hop?.referrerId; depth++) {
    if (hop.referrerId === memberId) throw new ValidationError("this referral would create a cycle", "referrerId");
    if (depth >= MAX_CHAIN) throw new ValidationError("the referral chain is too long", "referrerId");
    hop = await findMember(tenantId, hop.referrerId);
  }
  const now = new Date().toISOString();
  const table = tableName();
  return {
    member: { set: { referrerId, referredAt: now, gsi3pk: keys.referralsOf(tenantId, referrerId), gsi3sk: keys.joinedSort(member.joinedAt, memberId) } },
    items: [
      {
        Update: {
          TableName: table,
          Key: keys.member(tenantId, referrerId),
          UpdateExpression: "ADD referralCount :one, version :one",
          ConditionExpression: "#s = :active AND version = :v",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":one": 1, ":active": "ACTIVE", ":v": referrer.version },
        },
      },
    ],
    result: { ...member, referrerId, referredAt: now, version: member.version + 1, updatedAt: now },
    explain: () => new ConflictError("the referrer changed at the same time; try again"),
  };
}

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { findCampaign } from "../campaign/store.js";
import { effectiveCampaign } from "../campaign/item.js";
import { documentClient, tableName } from "../db/client.js";
import { stripKeys } from "../db/keys.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { findMember } from "../member/read.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, RetryableError, ValidationError } from "../shared/errors.js";
import type { Campaign } from "../campaign/types.js";
import { referralKeys } from "./keys.js";
import type { InviteCode } from "./types.js";

/**
 * Crockford's base32 without I, L, O, U: codes are read aloud and typed from posters, so no
 * letter looks like a digit. 10 characters = 50 random bits: guessing one live code among a
 * million takes ~10^9 tries on average.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const INVITE_CODE_LENGTH = 10;
const CODE_PATTERN = new RegExp(`^[${ALPHABET}]{${INVITE_CODE_LENGTH}}$`);

function newCode(): string {
  const bytes = randomBytes(INVITE_CODE_LENGTH);
  // 256 is a multiple of 32, so `% 32` keeps every character equally likely.
  return Array.from(bytes, (b) => ALPHABET[b % 32]).join("");
}

/** A code as typed (any case, spaces or dashes between groups) in its stored form; undefined if it cannot be one. */
export function normalizeCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, "").toUpperCase();
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** The REFERRAL campaign or an error a client can act on. */
export async function referralCampaign(tenantId: string, campaignId: string, now = new Date()): Promise<Campaign> {
  const stored = await findCampaign(tenantId, campaignId);
  if (!stored) throw new NotFoundError("Campaign", campaignId);
  const campaign = effectiveCampaign(stored, now);
  if (campaign.type !== "REFERRAL") throw new ValidationError(`campaign ${campaignId} is a ${campaign.type} campaign, not REFERRAL`, "campaignId");
  return campaign;
}

async function memberCode(tenantId: string, memberId: string, campaignId: string): Promise<InviteCode | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: referralKeys.memberCode(tenantId, memberId, campaignId), ConsistentRead: true }));
  return out.Item ? (stripKeys(out.Item) as unknown as InviteCode) : undefined;
}

/**
 * The member's invite code in a REFERRAL campaign, created on first request. The member's own
 * item (`INVITE#<campaign>`) makes it once per member and campaign: two concurrent first calls
 * race on it with `attribute_not_exists` and the loser returns the winner's code. The code item is
 * written in the same transaction, also `attribute_not_exists`, so a code never names two
 * members (a random collision draws again).
 */
export async function inviteCode(tenantId: string, campaignId: string, memberIdInput: string): Promise<{ invite: InviteCode; created: boolean }> {
  const memberId = mv.memberId(memberIdInput);
  const existing = await memberCode(tenantId, memberId, campaignId);
  if (existing) return { invite: existing, created: false };
  const campaign = await referralCampaign(tenantId, campaignId);
  if (campaign.status === "ENDED") throw new ConflictError(`campaign ${campaignId} has ended`);
  const member = await findMember(tenantId, memberId);
  if (!member) throw new NotFoundError("Member", memberId);
  if (member.status !== "ACTIVE") throw new ConflictError(`member ${memberId} is ${member.status.toLowerCase()}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const invite: InviteCode = { tenantId, code: newCode(), campaignId, memberId, createdAt: new Date().toISOString() };
    const table = tableName();
    try {
      await transact([
        { Put: { TableName: table, Item: { ...referralKeys.memberCode(tenantId, memberId, campaignId), ...invite }, ConditionExpression: "attribute_not_exists(pk)" } },
        { Put: { TableName: table, Item: { ...referralKeys.code(tenantId, invite.code), ...invite }, ConditionExpression: "attribute_not_exists(pk)" } },
      ]);
      return { invite, created: true };
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedCondition(0)) {
        const winner = await memberCode(tenantId, memberId, campaignId);
        if (winner) return { invite: winner, created: false };
      }
      // Only the code collided: draw another.
    }
  }
  throw new RetryableError("could not allocate an invite code; try again");
}

/** The invite a code stands for: one GetItem. Undefined for unknown or malformed codes. */
export async function findInviteCode(tenantId: string, codeInput: string): Promise<InviteCode | undefined> {
  const code = normalizeCode(codeInput);
  if (!code) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: referralKeys.code(tenantId, code) }));
  return out.Item ? (stripKeys(out.Item) as unknown as InviteCode) : undefined;
}

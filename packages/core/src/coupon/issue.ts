import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { ConflictError } from "../shared/errors.js";
import { couponItem, windowAt } from "./item.js";
import { newCouponCode } from "./code.js";
import { couponKeys } from "./keys.js";
import { findCouponDefinition } from "./definition.js";
import type { Coupon, CouponDefinition, CouponSource } from "./types.js";

/** How long a claim's request id is remembered (a client retrying within it gets the same coupon). */
const REQUEST_TTL_SECONDS = 7 * 86_400;
/** New codes tried when one is taken (30^12 codes: a second collision in a row means a bug). */
const CODE_ATTEMPTS = 3;

export type IssueOutcome =
  | { kind: "ISSUED"; coupon: Coupon }
  | { kind: "SOLD_OUT" }
  | { kind: "LIMIT_REACHED" }
  /** SEGMENT only: this member already received one from a segment issue (reruns issue nothing). */
  | { kind: "ALREADY_ISSUED" }
  /** CLAIM only: the request id was used before; its record says what it claimed. */
  | { kind: "DUPLICATE_REQUEST"; code: string; definitionId: string; memberId: string }
  /** The definition changed between the read and the write (an update before the first issue): read again. */
  | { kind: "CHANGED" };

export class SoldOutError extends ConflictError {
  constructor(d: Pick<CouponDefinition, "definitionId" | "totalQuantity">) {
    super(`coupon ${d.definitionId} is sold out: all ${d.totalQuantity} have been issued`, { reason: "SOLD_OUT" });
  }
}

export class LimitReachedError extends ConflictError {
  constructor(d: Pick<CouponDefinition, "definitionId" | "perMemberLimit">, memberId: string) {
    super(`member ${memberId} already holds the limit of ${d.perMemberLimit} coupon(s) of ${d.definitionId}`, { reason: "LIMIT_REACHED" });
  }
}

export function newCoupon(d: CouponDefinition, memberId: string, source: CouponSource, now: Date, code = newCouponCode()): Coupon {
  return {
    tenantId: d.tenantId,
    code,
    definitionId: d.definitionId,
    campaignId: d.campaignId,
    memberId,
    name: d.name,
    source,
    issuedAt: now.toISOString(),
    ...windowAt(d, now),
    ...(d.amountOffMinor !== undefined ? { amountOffMinor: d.amountOffMinor } : { percentOff: d.percentOff }),
    minimumSpendMinor: d.minimumSpendMinor,
    redeemableAt: d.redeemableAt,
    storeIds: d.storeIds,
    partnerStoreIds: d.partnerStoreIds,
    status: "ISSUED",
  };
}

/**
 * Issues one coupon of `d` (as read, consistently) to a member in ONE transaction:
 *  0. the definition's counter: `ADD issued 1` if `issued < totalQuantity` and the revision read
 *     (no oversell: the check and the increment are one conditional write);
 *  1. the member's claim counter for the definition: `ADD claimed 1` if under `perMemberLimit`
 *     (and, for a segment issue, only if no segment issue reached this member yet);
 *  2. the coupon under a fresh code, `attribute_not_exists` (codes unique);
 *  3. for a claim, the request record, `attribute_not_exists` (a retried request issues nothing).
 * All or nothing, so the counter always equals the coupons that exist (no lost coupon). Conflicts
 * with concurrent claims are retried by `transact`; a failed condition is explained by reading.
 */
export async function issueOne(d: CouponDefinition, memberId: string, source: CouponSource, requestId: string | undefined, now: Date): Promise<IssueOutcome> {
  const table = tableName();
  const tenantId = d.tenantId;
  const at = now.toISOString();
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const coupon = newCoupon(d, memberId, source, now);
    const segment = source === "SEGMENT";
    const items = couponIssueWrites(d, coupon, at);
    if (requestId) {
      items.push({
        Put: {
          TableName: table,
          Item: {
            ...couponKeys.claimRequest(tenantId, requestId),
            definitionId: d.definitionId,
            memberId,
            code: coupon.code,
            createdAt: at,
            expiresAt: Math.floor(now.getTime() / 1000) + REQUEST_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
    }
    try {
      await transact(items);
      return { kind: "ISSUED", coupon };
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      // Whatever condition is reported (DynamoDB Local reports only the first it meets), a
      // request record means this request already claimed: an earlier attempt that timed out
      // on the client but committed. Answer with that coupon, never with "limit reached".
      if (requestId) {
        const request = await findClaimRequest(tenantId, requestId);
        if (request) return { kind: "DUPLICATE_REQUEST", ...request };
      }
      if (error.failedCondition(0)) {
        const current = await findCouponDefinition(tenantId, d.definitionId, true);
        return !current || current.issued >= current.totalQuantity ? { kind: "SOLD_OUT" } : { kind: "CHANGED" };
      }
      if (error.failedCondition(1)) {
        if (!segment) return { kind: "LIMIT_REACHED" };
        const claims = await getClaims(tenantId, memberId, d.definitionId);
        return claims?.segmentIssuedAt ? { kind: "ALREADY_ISSUED" } : { kind: "LIMIT_REACHED" };
      }
      if (error.failedCondition(2)) continue; // the code was taken: draw another
      throw error;
    }
  }
  throw new ConflictError("could not draw an unused coupon code; try again");
}

/**
 * The three conditional writes that make a coupon exist (items 0-2 of `issueOne`, in that order):
 * the definition's counter (`issued < totalQuantity` at the revision read), the member's claims
 * (under `perMemberLimit`; a SEGMENT issue also only once per member) and the coupon (unique code).
 */
export function couponIssueWrites(d: CouponDefinition, coupon: Coupon, at: string): TransactItem[] {
  const table = tableName();
  const segment = coupon.source === "SEGMENT";
  return [
    {
      Update: {
        TableName: table,
        Key: couponKeys.definition(d.tenantId, d.definitionId),
        UpdateExpression: "ADD issued :one",
        ConditionExpression: "revision = :rev AND issued < totalQuantity",
        ExpressionAttributeValues: { ":one": 1, ":rev": d.revision },
      },
    },
    {
      Update: {
        TableName: table,
        Key: couponKeys.claims(d.tenantId, coupon.memberId, d.definitionId),
        UpdateExpression: `SET definitionId = :def, memberId = :member, updatedAt = :at${segment ? ", segmentIssuedAt = :at" : ""} ADD claimed :one`,
        ConditionExpression: `${segment ? "attribute_not_exists(segmentIssuedAt) AND " : ""}(attribute_not_exists(claimed) OR claimed < :limit)`,
        ExpressionAttributeValues: { ":def": d.definitionId, ":member": coupon.memberId, ":at": at, ":one": 1, ":limit": d.perMemberLimit },
      },
    },
    { Put: { TableName: table, Item: couponItem(coupon), ConditionExpression: "attribute_not_exists(pk)" } },
  ];
}

export async function findClaimRequest(tenantId: string, requestId: string): Promise<{ code: string; definitionId: string; memberId: string } | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: couponKeys.claimRequest(tenantId, requestId), ConsistentRead: true }));
  return out.Item ? { code: out.Item.code as string, definitionId: out.Item.definitionId as string, memberId: out.Item.memberId as string } : undefined;
}

/** The member's claim counter for a definition (how many they hold, whether a segment issue reached them). */
export async function getClaims(tenantId: string, memberId: string, definitionId: string): Promise<{ claimed: number; segmentIssuedAt?: string } | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: couponKeys.claims(tenantId, memberId, definitionId), ConsistentRead: true }));
  return out.Item ? { claimed: Number(out.Item.claimed ?? 0), segmentIssuedAt: out.Item.segmentIssuedAt as string | undefined } : undefined;
}

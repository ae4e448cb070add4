import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { checkPattern, cleanText } from "../shared/text.js";
import { newPointsEntry, pointsEntryItem } from "./entry.js";
import { MAX_POINTS_PER_ENTRY, type PointsEntry } from "./types.js";

export interface PointsMoveInput {
  memberId: string;
  /** Positive number of points to move. */
  points: number;
  reason?: string | null;
  /** Client id of this request: a retry with the same id returns the first result. */
  requestId: string;
}

type Kind = "REDEEM" | "ADJUST_UP" | "ADJUST_DOWN" | "EXPIRE";

/**
 * Moves points in one transaction of three writes: the idempotency record, the balance (ADD
 * with a condition that it stays >= 0, so concurrent redemptions can never overdraw it) and
 * the ledger entry. Nothing reads the balance first, so there is no race to lose.
 */
export async function movePoints(tenantId: string, kind: Kind, input: PointsMoveInput, actor: string): Promise<{ entry: PointsEntry; duplicate: boolean }> {
  if (!Number.isInteger(input.points) || input.points < 1 || input.points > MAX_POINTS_PER_ENTRY) {
    throw new ValidationError(`points must be a whole number from 1 to ${MAX_POINTS_PER_ENTRY}`, "points");
  }
  const requestId = checkPattern(input.requestId, CLIENT_ID_PATTERN, "requestId", "must be 1-100 letters, digits or _.:-");
  const reason = cleanText(input.reason, "reason", 200);
  const delta = kind === "ADJUST_UP" ? input.points : -input.points;
  const type = kind === "ADJUST_UP" || kind === "ADJUST_DOWN" ? "ADJUST" : kind;
  const entry = newPointsEntry({ tenantId, memberId: input.memberId, type, points: delta, reason, actor });
  const fingerprint = createHash("sha256").update(JSON.stringify([input.memberId, kind, input.points])).digest("base64url");
  const table = tableName();
  const requestKey = keys.requestKey(tenantId, "points", requestId);
  const expiresAt = Math.floor(Date.now() / 1000) + 7 * 24 * 3600;
  try {
    await transact([
      {
        Put: {
          TableName: table,
          Item: { ...requestKey, tenantId, resultRef: `${input.memberId}/${entry.entryId}`, fingerprint, createdAt: entry.createdAt, expiresAt },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Update: {
          TableName: table,
          Key: keys.member(tenantId, input.memberId),
          UpdateExpression: "ADD pointsBalance :delta",
          ConditionExpression: delta < 0 ? "#s = :active AND pointsBalance >= :need" : "#s = :active",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":delta": delta, ":active": "ACTIVE", ...(delta < 0 ? { ":need": -delta } : {}) },
        },
      },
      { Put: { TableName: table, Item: pointsEntryItem(entry) } },
    ]);
    return { entry, duplicate: false };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedCondition(0)) return { entry: await firstResult(tenantId, requestKey, fingerprint), duplicate: true };
    if (error.failedCondition(1)) throw await whyRefused(tenantId, input.memberId, -delta);
    throw error;
  }
}

async function firstResult(tenantId: string, requestKey: { pk: string; sk: string }, fingerprint: string): Promise<PointsEntry> {
  const client = documentClient();
  const req = await client.send(new GetCommand({ TableName: tableName(), Key: requestKey, ConsistentRead: true }));
  if (req.Item?.fingerprint !== fingerprint) throw new ConflictError("requestId was already used for a different points request", { field: "requestId" });
  const [memberId, entryId] = String(req.Item.resultRef).split("/");
  const out = await client.send(new GetCommand({ TableName: tableName(), Key: keys.pointsEntry(tenantId, memberId!, entryId!), ConsistentRead: true }));
  const { pk: _pk, sk: _sk, ...entry } = out.Item as Record<string, unknown>;
  return entry as unknown as PointsEntry;
}

async function whyRefused(tenantId: string, memberId: string, need: number): Promise<Error> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.member(tenantId, memberId), ConsistentRead: true }));
  if (!out.Item) return new NotFoundError("Member", memberId);
  if (out.Item.status !== "ACTIVE") return new ConflictError(`member ${memberId} is ${String(out.Item.status).toLowerCase()}`);
  return new ConflictError(`insufficient points: the balance is ${out.Item.pointsBalance}, ${need} needed`, { balance: out.Item.pointsBalance });
}

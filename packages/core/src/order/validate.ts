import { createHash } from "node:crypto";
import * as mv from "../member/validate.js";
import type { Channel } from "../member/types.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { CURRENCY_PATTERN, toMinor } from "../shared/money.js";
import { checkPattern, cleanText, toUtcInstant } from "../shared/text.js";
import { MAX_ORDER_LINES, type OrderLine } from "./types.js";

export interface OrderInput {
  /** The client's own order id: sending the same id again is recognised as the same order. */
  orderId: string;
  memberId: string;
  channel: string;
  storeId?: string | null;
  /** Amount paid, in major units (yuan), at most two decimals. */
  amount: number;
  currency?: string | null;
  items?: { sku: string; name?: string | null; quantity: number; unitPrice: number }[] | null;
  occurredAt: string;
  campaignId?: string | null;
  contentId?: string | null;
}

export interface CleanOrder {
  orderId: string;
  memberId: string;
  channel: Channel;
  storeId?: string;
  amountMinor: number;
  currency?: string;
  items: OrderLine[];
  occurredAt: string;
  campaignId?: string;
  contentId?: string;
  fingerprint: string;
}

export function cleanOrder(input: OrderInput): CleanOrder {
  const orderId = checkPattern(input.orderId, CLIENT_ID_PATTERN, "orderId", "must be 1-100 letters, digits or _.:-");
  const memberId = mv.memberId(input.memberId);
  const channel = mv.channel(input.channel);
  const storeId = input.storeId ? checkPattern(input.storeId, CLIENT_ID_PATTERN, "storeId", "is not a valid id") : undefined;
  if (channel === "STORE" && !storeId) throw new ValidationError("a STORE order needs a storeId", "storeId");
  const amountMinor = toMinor(input.amount, "amount");
  const currency = input.currency ? checkPattern(input.currency, CURRENCY_PATTERN, "currency", "must be an ISO 4217 code") : undefined;
  const lines = input.items ?? [];
  if (lines.length > MAX_ORDER_LINES) throw new ValidationError(`an order has at most ${MAX_ORDER_LINES} lines`, "items");
  const items = lines.map((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 100_000) throw new ValidationError(`items[${i}].quantity must be 1-100000`, "items");
    return {
      sku: checkPattern(line.sku.trim(), /^[^\u0000-\u001f]{1,64}$/, `items[${i}].sku`, "must be 1-64 characters"),
      ...(line.name ? { name: cleanText(line.name, `items[${i}].name`, 200) } : {}),
      quantity: line.quantity,
      unitPriceMinor: toMinor(line.unitPrice, `items[${i}].unitPrice`),
    };
  });
  const occurredAt = toUtcInstant(input.occurredAt, "occurredAt");
  if (Date.parse(occurredAt) > Date.now() + 5 * 60_000) throw new ValidationError("occurredAt is in the future", "occurredAt");
  const campaignId = input.campaignId ? checkPattern(input.campaignId, CLIENT_ID_PATTERN, "campaignId", "is not a valid id") : undefined;
  const contentId = input.contentId ? checkPattern(input.contentId, CLIENT_ID_PATTERN, "contentId", "is not a valid id") : undefined;
  // contentId joins the fingerprint only when set, so orders recorded before it existed keep theirs.
  const fingerprint = hash([orderId, memberId, channel, storeId, amountMinor, currency, items, occurredAt, campaignId, ...(contentId ? [contentId] : [])]);
  return { orderId, memberId, channel, storeId, amountMinor, currency, items, occurredAt, campaignId, contentId, fingerprint };
}

export const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("base64url");

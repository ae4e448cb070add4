import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled } from "../db/transact.js";
import { countersUpdate } from "../campaign/results/counters.js";
import { findCampaign } from "../campaign/store.js";
import { keys, stripKeys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { parseLocalDate } from "../jobs/periods.js";
import type { Channel } from "../member/types.js";
import * as mv from "../member/validate.js";
import { hash } from "../order/validate.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { toMinor } from "../shared/money.js";
import { checkPattern, cleanText } from "../shared/text.js";

/**
 * Marketing spend: what a brand paid to reach and acquire members on a channel (and, when it
 * belongs to one, a campaign) on a local day. It is the cost C of CAC (C ÷ members acquired) and
 * of ROI ((attributed revenue − C) ÷ C) in the KPI snapshot. `campaignId` is the same id orders
 * carry, so spend and attributed orders meet by id; when it names a campaign item, the spend is
 * also added to that campaign's recorded cost (its results' ROI and CAC).
 */
export interface MarketingSpend {
  tenantId: string;
  spendId: string;
  channel: Channel;
  campaignId?: string;
  /** Local date (tenant's zone) the money was spent. */
  date: string;
  amountMinor: number;
  note?: string;
  fingerprint: string;
  createdAt: string;
}

export interface MarketingSpendInput {
  spendId: string;
  channel: string;
  campaignId?: string | null;
  date: string;
  /** Major units (yuan), two decimals at most, more than zero. */
  amount: number;
  note?: string | null;
}

/**
 * Records one spend entry, idempotent by its id: the same id and content again returns the
 * stored entry (`duplicate: true`), the same id with other content is a CONFLICT. A correction
 * is a new entry (a negative amount is refused: spend is never netted silently).
 */
export async function recordMarketingSpend(tenantId: string, input: MarketingSpendInput): Promise<{ spend: MarketingSpend; duplicate: boolean }> {
  const spendId = checkPattern(input.spendId, CLIENT_ID_PATTERN, "id", "must be 1-100 letters, digits or _.:-");
  const channel = mv.channel(input.channel);
  const campaignId = input.campaignId ? checkPattern(input.campaignId, CLIENT_ID_PATTERN, "campaignId", "is not a valid id") : undefined;
  parseLocalDate(input.date, "date");
  const amountMinor = toMinor(input.amount, "amount");
  if (amountMinor === 0) throw new ValidationError("amount must be greater than zero", "amount");
  const note = cleanText(input.note, "note", 200);
  const fingerprint = hash([spendId, channel, campaignId, input.date, amountMinor, note]);
  const spend: MarketingSpend = { tenantId, spendId, channel, campaignId, date: input.date, amountMinor, note, fingerprint, createdAt: new Date().toISOString() };
  const put = {
    TableName: tableName(),
    Item: { ...keys.marketingSpend(tenantId, spendId), gsi1pk: keys.spendOfTenant(tenantId), gsi1sk: keys.spendSort(input.date, spendId), ...spend },
    ConditionExpression: "attribute_not_exists(pk)",
  };
  try {
    // Spend of a campaign item is also its recorded cost (ROI, CAC), in the same transaction.
    if (campaignId && (await findCampaign(tenantId, campaignId))) await transact([{ Put: put }, ...countersUpdate(tenantId, campaignId, spendId, { costMinor: amountMinor })]);
    else await documentClient().send(new PutCommand(put));
    return { spend, duplicate: false };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException) && !(error instanceof TransactionCancelled)) throw error;
    const existing = await getMarketingSpend(tenantId, spendId);
    if (!existing) throw error;
    if (existing.fingerprint !== fingerprint) throw new ConflictError(`spend id ${spendId} was already used for a different entry`, { field: "id" });
    return { spend: existing, duplicate: true };
  }
}

export async function getMarketingSpend(tenantId: string, spendId: string): Promise<MarketingSpend | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.marketingSpend(tenantId, spendId), ConsistentRead: true }));
  return out.Item ? (stripKeys(out.Item) as unknown as MarketingSpend) : undefined;
}

/** A brand's spend entries with a date in [from, to], oldest first: one Query on gsi1 (spend entries are few: per campaign and day). */
export async function listMarketingSpend(tenantId: string, range: { from: string; to: string }): Promise<MarketingSpend[]> {
  parseLocalDate(range.from, "from");
  parseLocalDate(range.to, "to");
  if (range.from > range.to) throw new ValidationError("from must not be after to", "from");
  const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: keys.spendOfTenant(tenantId), skFrom: `${range.from}#`, skTo: `${range.to}#\uffff` });
  return items.map((i) => stripKeys(i) as unknown as MarketingSpend);
}

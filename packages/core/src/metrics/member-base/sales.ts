import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { batchPut } from "../../db/batch.js";
import { documentClient, tableName } from "../../db/client.js";
import { stripKeys } from "../../db/keys.js";
import { queryAll } from "../../db/query.js";
import { defaultAsOf, nextDate, parseLocalDate } from "../../jobs/periods.js";
import type { Channel } from "../../member/types.js";
import * as mv from "../../member/validate.js";
import { ValidationError } from "../../shared/errors.js";
import { toMinor } from "../../shared/money.js";
import { cleanText } from "../../shared/text.js";
import { getSettings } from "../../tenant/settings.js";
import { memberBaseKeys } from "./keys.js";

/**
 * Non-member sales: what the brand sold to people who are not members (walk-in tills, guest
 * checkouts, marketplaces), reported per local day and optionally per channel, so the
 * member-base job can compute the private-domain share of total sales (member orders ÷ member
 * orders + non-member sales).
 *
 * Idempotent by (date, channel): a report is the brand's figure for that day and channel, and
 * reporting it again replaces it (a correction is a report of the right figure, not a delta).
 * A report without a channel is its own entry (`ANY`); entries of one day add up, so a brand
 * reports either one total per day or one figure per channel, not both.
 */
export interface NonMemberSales {
  tenantId: string;
  /** Local date (tenant's zone). */
  date: string;
  channel: Channel | null;
  amountMinor: number;
  note?: string;
  reportedAt: string;
}

export interface NonMemberSalesInput {
  date: string;
  channel?: string | null;
  /** Major units (yuan), two decimals at most, zero or more. */
  amount: number;
  note?: string | null;
}

export function nonMemberSalesItem(s: NonMemberSales): Record<string, unknown> {
  return {
    ...memberBaseKeys.nonMemberSales(s.tenantId, s.date, s.channel),
    gsi1pk: memberBaseKeys.nonMemberSalesList(s.tenantId),
    gsi1sk: memberBaseKeys.nonMemberSalesSort(s.date, s.channel),
    ...s,
  };
}

const fromItem = (item: Record<string, unknown>): NonMemberSales => {
  const s = stripKeys(item) as unknown as NonMemberSales;
  return { ...s, channel: s.channel ?? null };
};

/**
 * Reports (or replaces) the non-member sales of a day and channel: one Put. Returns the stored
 * entry and the amount it replaced (null when the day and channel had no report). A day after
 * today in the tenant's zone is refused. The next member-base snapshot includes it.
 */
export async function reportNonMemberSales(tenantId: string, input: NonMemberSalesInput, now = new Date()): Promise<{ sales: NonMemberSales; previousAmountMinor: number | null }> {
  parseLocalDate(input.date, "date");
  const { timeZone } = await getSettings(tenantId);
  const today = nextDate(defaultAsOf(timeZone, now));
  if (input.date > today) throw new ValidationError(`date must not be after today (${today} in ${timeZone})`, "date");
  const channel = input.channel ? mv.channel(input.channel) : null;
  const amountMinor = toMinor(input.amount, "amount");
  const note = cleanText(input.note, "note", 200);
  const sales: NonMemberSales = { tenantId, date: input.date, channel, amountMinor, note, reportedAt: now.toISOString() };
  const out = await documentClient().send(new PutCommand({ TableName: tableName(), Item: nonMemberSalesItem(sales), ReturnValues: "ALL_OLD" }));
  const previous = out.Attributes?.amountMinor;
  return { sales, previousAmountMinor: typeof previous === "number" ? previous : null };
}

/** Most days `listNonMemberSales` reads: a year and a day. */
export const MAX_SALES_LIST_DAYS = 366;

/** The reported entries with a date in [from, to], oldest first (then by channel): one Query on gsi1. */
export async function listNonMemberSales(tenantId: string, range: { from: string; to: string }): Promise<NonMemberSales[]> {
  parseLocalDate(range.from, "range.from");
  parseLocalDate(range.to, "range.to");
  if (range.from > range.to) throw new ValidationError("range.from must not be after range.to", "range");
  if ((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 >= MAX_SALES_LIST_DAYS) throw new ValidationError(`a list covers at most ${MAX_SALES_LIST_DAYS} days`, "range");
  const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: memberBaseKeys.nonMemberSalesList(tenantId), skFrom: `${range.from}#`, skTo: `${range.to}#\uffff` });
  return items.map(fromItem);
}

/** Writes many entries at once (demo and tests): BatchWriteItem, replacing like `reportNonMemberSales`. */
export async function putNonMemberSales(entries: NonMemberSales[]): Promise<void> {
  await batchPut(entries.map(nonMemberSalesItem));
}

import { z } from "zod";
import type { CreateMemberInput } from "../member/create.js";
import { CHANNELS, type Channel } from "../member/types.js";
import * as mv from "../member/validate.js";
import { cleanOrder } from "../order/validate.js";
import { DomainError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, stableId } from "../shared/ids.js";
import { MAX_AMOUNT_MAJOR, parseMinor } from "../shared/money.js";
import { parseDay, parseInstant } from "./dates.js";
import type { ImportKind } from "./types.js";

/** One CSV row by (lower-cased) header name; a column the row is too short for is absent. */
export type CsvRecord = Record<string, string | undefined>;

/** Columns each kind needs in its header (others are optional or ignored). */
export const REQUIRED_COLUMNS: Record<ImportKind, readonly string[]> = {
  members: ["customer_no"],
  orders: ["order_id", "customer_no", "amount", "occurred_at"],
  transactions: ["customer_id", "date", "amount"],
};

/** What the rows are read against: the brand's time zone and currency, the default channel. */
export interface RowContext {
  tenantId: string;
  timeZone: string;
  currency: string;
  channel: Channel;
}

/** The stable member id of a customer number: a re-import lands on the same member without a lookup. */
export const memberIdOf = (tenantId: string, customerNo: string): string => stableId("m", tenantId, customerNo);

/**
 * Order id for a transactions row, which has none: the customer, day, amount and the occurrence
 * number of that identical line in the file (1, 2, ...). Two identical lines stay two orders,
 * and importing the file again derives the same ids. Day and amount are normalised (YYYY-MM-DD,
 * two decimals), so 19970101 and 1997-01-01 give the same id.
 */
export const transactionOrderId = (customerNo: string, day: string, amountMinor: number, occurrence: number): string =>
  stableId("o", customerNo, day, formatMinor(amountMinor), String(occurrence));

export const formatMinor = (minor: number): string => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;

// ---- cell helpers -------------------------------------------------------------------------

/** Runs a core validator inside zod; its ValidationError becomes the row's reason. */
function domain<T>(column: string | undefined, value: string, fn: (v: string) => T, ctx: z.RefinementCtx): T {
  try {
    return fn(value);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const message = !column || error.message.includes(column) ? error.message : `${column}: ${error.message}`;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    return z.NEVER;
  }
}

const fail = (ctx: z.RefinementCtx, message: string) => {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
};

const required = (column: string) =>
  z
    .string({ required_error: `${column} is missing`, invalid_type_error: `${column} is missing` })
    .trim()
    .min(1, `${column} is required`);

/** Absent and empty cells both mean "not given". */
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const customerNo = (column: string) =>
  required(column).transform((v, ctx) => {
    try {
      return mv.customerNo(v);
    } catch {
      return fail(ctx, `${column} "${v}" must be 1-64 letters, digits or _.:-`);
    }
  });

const amount = required("amount").transform((v, ctx) => {
  let minor: number;
  try {
    minor = parseMinor(v);
  } catch {
    return fail(ctx, `amount "${v}" is not a decimal amount with at most two decimals`);
  }
  if (minor < 0) return fail(ctx, `amount ${v} is negative`);
  if (minor > MAX_AMOUNT_MAJOR * 100) return fail(ctx, `amount ${v} is more than ${MAX_AMOUNT_MAJOR}`);
  return minor;
});

const channelCell = (column: string, fallback: Channel) =>
  optional.transform((v, ctx) => (v === undefined ? fallback : domain(column, v.toUpperCase(), (c) => mv.channel(c, column), ctx)));

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, yes: true, y: true, "1": true, false: false, no: false, n: false, "0": false };
const booleanCell = (column: string) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const b = BOOLEAN_WORDS[v.toLowerCase()];
    return b === undefined ? fail(ctx, `${column} must be true/false, yes/no or 1/0 (got "${v}")`) : b;
  });

const GENDER_WORDS: Record<string, string> = { F: "FEMALE", M: "MALE", FEMALE: "FEMALE", MALE: "MALE", OTHER: "OTHER", UNKNOWN: "UNKNOWN", 女: "FEMALE", 男: "MALE" };

// ---- row schemas --------------------------------------------------------------------------

export function transactionRowSchema(ctx: RowContext) {
  return z.object({
    customer_id: customerNo("customer_id"),
    date: required("date").transform((v, c) => parseDay(v) ?? fail(c, `date "${v}" is not a date (YYYY-MM-DD or YYYYMMDD)`)),
    amount,
  }).transform((row, c) => {
    const occurredAt = parseInstant(row.date, ctx.timeZone)!;
    if (Date.parse(occurredAt) > Date.now()) return fail(c, `date ${row.date} is in the future`);
    if (occurredAt < "1970-01-01") return fail(c, `date ${row.date} is before 1970`);
    return { customerNo: row.customer_id, day: row.date, occurredAt, amountMinor: row.amount };
  });
}
export type TransactionRow = z.output<ReturnType<typeof transactionRowSchema>>;

export function orderRowSchema(ctx: RowContext) {
  return z
    .object({
      order_id: required("order_id").refine((v) => CLIENT_ID_PATTERN.test(v), { message: "order_id must be 1-100 letters, digits or _.:-" }),
      customer_no: customerNo("customer_no"),
      channel: channelCell("channel", ctx.channel),
      store_id: optional.refine((v) => v === undefined || CLIENT_ID_PATTERN.test(v), { message: "store_id is not a valid id" }),
      amount,
      currency: optional.transform((v, c) => {
        if (v === undefined) return undefined;
        const code = v.toUpperCase();
        return code === ctx.currency ? code : fail(c, `currency ${v} is not the brand's currency ${ctx.currency}`);
      }),
      occurred_at: required("occurred_at").transform(
        (v, c) => parseInstant(v, ctx.timeZone) ?? fail(c, `occurred_at "${v}" is not a date-time (ISO-8601, or YYYY-MM-DD[ HH:mm[:ss]] in ${ctx.timeZone})`),
      ),
    })
    .transform((row, c) => {
      // The core validator has the last word (STORE needs a store, no future dates, ...).
      const memberId = memberIdOf(ctx.tenantId, row.customer_no);
      const input = {
        orderId: row.order_id,
        memberId,
        channel: row.channel,
        storeId: row.store_id,
        amount: row.amount / 100,
        currency: row.currency,
        occurredAt: row.occurred_at,
      };
      const clean = domain(undefined, "", () => cleanOrder(input), c);
      return { customerNo: row.customer_no, input, amountMinor: clean.amountMinor };
    });
}
export type OrderRow = z.output<ReturnType<typeof orderRowSchema>>;

export function memberRowSchema(ctx: RowContext) {
  return z
    .object({
      customer_no: customerNo("customer_no"),
      name: optional,
      phone: optional,
      email: optional,
      gender: optional.transform((v, c) => (v === undefined ? undefined : (GENDER_WORDS[v.toUpperCase()] ?? fail(c, `gender must be female, male, other or unknown (got "${v}")`)))),
      birthday: optional,
      city: optional,
      source_channel: channelCell("source_channel", ctx.channel),
      joined_at: optional.transform((v, c) => {
        if (v === undefined) return undefined;
        const at = parseInstant(v, ctx.timeZone);
        if (!at) return fail(c, `joined_at "${v}" is not a date or date-time`);
        return Date.parse(at) > Date.now() + 5 * 60_000 ? fail(c, `joined_at ${v} is in the future`) : at;
      }),
      tier: optional.transform((v, c) => (v === undefined ? undefined : domain("tier", v.toUpperCase(), mv.tier, c))),
      tags: optional.transform((v, c) =>
        v === undefined
          ? undefined
          : domain("tags", v, (t) => mv.tags(t.split(";").map((s) => s.trim()).filter((s) => s.length > 0)), c),
      ),
      marketing_consent: booleanCell("marketing_consent"),
      partner_sharing_consent: booleanCell("partner_sharing_consent"),
    })
    .transform((row, c): CreateMemberInput & { customerNo: string; memberId: string } => {
      const input = {
        memberId: memberIdOf(ctx.tenantId, row.customer_no),
        customerNo: row.customer_no,
        name: row.name,
        phone: row.phone,
        email: row.email,
        gender: row.gender,
        birthday: row.birthday,
        city: row.city,
        sourceChannel: row.source_channel,
        joinedAt: row.joined_at,
        tier: row.tier,
        tags: row.tags,
        marketingConsent: row.marketing_consent,
        partnerSharingConsent: row.partner_sharing_consent,
      };
      // Contact data and the rest are checked by the same code the API uses.
      domain(undefined, "", () => mv.profile(input), c);
      return input;
    });
}
export type MemberRow = z.output<ReturnType<typeof memberRowSchema>>;

/** The first problem of a row, as one line. */
export function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid row";
  if (issue.code === z.ZodIssueCode.custom || issue.path.length === 0) return issue.message;
  const column = issue.path.join(".");
  return issue.message.includes(column) ? issue.message : `${column}: ${issue.message}`;
}

export const isChannel = (value: string): value is Channel => (CHANNELS as readonly string[]).includes(value);

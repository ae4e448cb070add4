import { assertAssignee } from "./assignee.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { transact, TransactionCancelled, type TransactItem } from "../db/transact.js";
import { resolveMember } from "../member/read.js";
import * as mv from "../member/validate.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import { cleanText, requireText } from "../shared/text.js";
import { getSettings } from "../tenant/settings.js";
import { fromTicketItem, isAwaiting, ticketItem, viewTicket, type TicketView } from "./item.js";
import { assertStaffId, assertTicketId, ticketKeys } from "./keys.js";
import {
  DEFAULT_RESPONSE_SLA_HOURS,
  MAX_DESCRIPTION,
  MAX_SUBJECT,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  type Ticket,
  type TimelineEntry,
} from "./types.js";

const HOUR_MS = 3_600_000;

export interface OpenTicketInput {
  /** The brand's own id for the ticket (its CRM or chat tool's id); generated when absent. A used id is CONFLICT. */
  ticketId?: string | null;
  memberId: string;
  channel: string;
  category: string;
  priority?: string | null;
  subject: string;
  description?: string | null;
  /** A staff member of the brand who has not left (assignee.ts). */
  assigneeStaffId?: string | null;
  /** True when the member opened it themselves (mini program, chat); else staff opened it for them. */
  openedByMember?: boolean | null;
}

/** Who acts: the staff principal (or `member` for a member's own action). */
export interface Actor {
  actor: string;
}

/** A timeline entry to write with a ticket change (ticket id and entry id are filled in). */
export type NewEntry = Omit<TimelineEntry, "ticketId" | "entryId">;

export const optionalStaffId = (value: string | null | undefined, field = "input.assigneeStaffId"): string | undefined => {
  if (value === null || value === undefined || value === "") return undefined;
  return assertStaffId(value, field);
};

/**
 * Writes one ticket change, all or nothing: the ticket (conditioned on the revision it was read
 * at, or on not existing), its entry in the list of tickets awaiting a first response (added or
 * removed as the change requires), its timeline entries, and any extra items (a survey answer).
 * A lost race is CONFLICT.
 */
export async function writeTicket(before: Ticket | undefined, after: Ticket, entries: NewEntry[], extra: TransactItem[] = []): Promise<Ticket> {
  const table = tableName();
  for (const key of Object.keys(after) as (keyof Ticket)[]) if (after[key] === undefined) delete after[key];
  const items: TransactItem[] = [
    before
      ? { Put: { TableName: table, Item: ticketItem(after), ConditionExpression: "revision = :rev", ExpressionAttributeValues: { ":rev": before.revision } } }
      : { Put: { TableName: table, Item: ticketItem(after), ConditionExpression: "attribute_not_exists(pk)" } },
    ...extra,
  ];
  const awaitingKey = (c: Ticket) => ({ pk: ticketKeys.awaitingList(c.tenantId), sk: ticketKeys.awaitingSort(c.firstResponseDueAt, c.ticketId) });
  const wasAwaiting = before ? isAwaiting(before) : false;
  if (wasAwaiting && !isAwaiting(after)) items.push({ Delete: { TableName: table, Key: awaitingKey(before!) } });
  if (!wasAwaiting && isAwaiting(after)) {
    items.push({ Put: { TableName: table, Item: { ...awaitingKey(after), ticketId: after.ticketId, memberId: after.memberId, dueAt: after.firstResponseDueAt } } });
  }
  entries.forEach((e, n) => {
    const entry: TimelineEntry = { ...e, ticketId: after.ticketId, entryId: `${after.revision}.${n}` };
    for (const key of Object.keys(entry) as (keyof TimelineEntry)[]) if (entry[key] === undefined) delete entry[key];
    items.push({ Put: { TableName: table, Item: { ...ticketKeys.log(after.tenantId, after.ticketId, after.revision, n), ...entry } } });
  });
  try {
    await transact(items);
    return after;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedCondition(0)) {
      throw before
        ? new ConflictError(`ticket ${after.ticketId} changed at the same time; reload and try again`, { revision: before.revision })
        : new ConflictError(`ticket id ${after.ticketId} is already used`, { field: "input.id" });
    }
    if (error instanceof TransactionCancelled && extra.some((_, i) => error.failedCondition(i + 1))) {
      throw new ConflictError(`ticket ${after.ticketId}: this was already recorded`);
    }
    throw error;
  }
}

/**
 * Opens a ticket for a member. The first-response due time is fixed now from the brand's
 * target (`serviceResponseSlaHours`, default 168 h = 7 days).
 */
export async function openTicket(tenantId: string, input: OpenTicketInput, by: Actor, now = new Date()): Promise<TicketView> {
  const memberId = mv.memberId(input.memberId, "input.memberId");
  const channel = mv.channel(input.channel, "input.channel");
  const category = mv.oneOf(TICKET_CATEGORIES, input.category, "input.category");
  const priority = input.priority ? mv.oneOf(TICKET_PRIORITIES, input.priority, "input.priority") : "NORMAL";
  const subject = requireText(input.subject, "input.subject", MAX_SUBJECT);
  const description = cleanText(input.description, "input.description", MAX_DESCRIPTION);
  const assigneeStaffId = optionalStaffId(input.assigneeStaffId);
  await assertAssignee(tenantId, assigneeStaffId);
  const member = await resolveMember(tenantId, memberId);
  if (!member || member.status !== "ACTIVE") throw new NotFoundError("Member", memberId);
  const slaHours = (await getSettings(tenantId)).serviceResponseSlaHours ?? DEFAULT_RESPONSE_SLA_HOURS;
  const at = now.toISOString();
  const openedBy = input.openedByMember ? "member" : by.actor;
  const ticket: Ticket = {
    tenantId,
    ticketId: input.ticketId ? assertTicketId(input.ticketId, "input.id") : newId("tkt"),
    memberId: member.memberId,
    channel,
    category,
    priority,
    subject,
    description,
    status: "OPEN",
    assigneeStaffId,
    openedBy,
    slaHours,
    firstResponseDueAt: new Date(now.getTime() + slaHours * HOUR_MS).toISOString(),
    resolutions: 0,
    surveyedResolution: 0,
    revision: 1,
    createdAt: at,
    updatedAt: at,
  };
  const entries: NewEntry[] = [{ kind: "CREATED", at, by: openedBy, toStatus: "OPEN", message: description }];
  if (assigneeStaffId) entries.push({ kind: "ASSIGNED", at, by: by.actor, assigneeStaffId });
  return viewTicket(await writeTicket(undefined, ticket, entries), now);
}

export async function findTicket(tenantId: string, ticketId: string, consistent = false): Promise<Ticket | undefined> {
  if (!CLIENT_ID_PATTERN.test(ticketId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: ticketKeys.item(tenantId, ticketId), ConsistentRead: consistent }));
  return out.Item ? fromTicketItem(out.Item) : undefined;
}

/** The stored ticket, read strongly consistent (for changes), checked against the caller's revision. */
export async function getStoredTicket(tenantId: string, ticketId: string, expectedRevision?: number | null): Promise<Ticket> {
  const ticket = await findTicket(tenantId, ticketId, true);
  if (!ticket) throw new NotFoundError("Ticket", ticketId);
  if (expectedRevision !== undefined && expectedRevision !== null) {
    if (!Number.isInteger(expectedRevision) || expectedRevision < 1) throw new ValidationError("input.expectedRevision must be a positive whole number", "input.expectedRevision");
    if (expectedRevision !== ticket.revision) {
      throw new ConflictError(`ticket ${ticketId} is at revision ${ticket.revision}, not ${expectedRevision}; reload and try again`, { revision: ticket.revision });
    }
  }
  return ticket;
}

export async function getTicket(tenantId: string, ticketId: string, now = new Date()): Promise<TicketView> {
  const ticket = await findTicket(tenantId, ticketId);
  if (!ticket) throw new NotFoundError("Ticket", ticketId);
  return viewTicket(ticket, now);
}

/** Many tickets by id (BatchGetItem), aligned with `ids`; unknown or malformed ids give undefined. */
export async function getTickets(tenantId: string, ids: readonly string[], now = new Date()): Promise<(TicketView | undefined)[]> {
  const valid = [...new Set(ids.filter((id) => CLIENT_ID_PATTERN.test(id)))];
  const items = await batchGet<Record<string, unknown>>(valid.map((id) => ticketKeys.item(tenantId, id)));
  const byId = new Map(items.map((i) => [i.ticketId as string, viewTicket(fromTicketItem(i), now)]));
  return ids.map((id) => byId.get(id));
}

import { queryPage } from "../db/query.js";
import { queryShardedPage } from "../db/sharded.js";
import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import type { Page, PageArgs } from "../shared/page.js";
import { fromTicketItem, viewTicket, type TicketView } from "./item.js";
import { assertStaffId, LOG_PREFIX, MEMBER_TICKET_PREFIX, ticketKeys } from "./keys.js";
import { getTickets } from "./store.js";
import { TICKET_STATUSES, type TicketStatus, type TimelineEntry } from "./types.js";

export interface TicketFilter {
  status?: string | null;
  memberId?: string | null;
  assigneeStaffId?: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * Tickets, newest opened first: of one status, of one assignee (any or one status), of one
 * member (every status), or all. Each is a Query of a list index (gsi2 by status, gsi3 by
 * assignee and status, gsi1 in the member's partition); "any status" merges the four status
 * lists in one round trip. A member's list takes no other filter.
 */
export async function listTickets(tenantId: string, filter: TicketFilter | null | undefined, args: PageArgs, now = new Date()): Promise<Page<TicketView>> {
  const status = filter?.status ? mv.oneOf(TICKET_STATUSES, filter.status, "filter.status") : undefined;
  const staff = filter?.assigneeStaffId ? assertStaffId(filter.assigneeStaffId, "filter.assigneeStaffId") : undefined;
  const memberId = filter?.memberId ? mv.memberId(filter.memberId, "filter.memberId") : undefined;
  if (memberId) {
    if (status || staff) throw new ValidationError("filter.memberId lists all of a member's tickets: give it alone", "filter.memberId");
    const page = await queryPage<Record<string, unknown>>(tenantId, `tickets:member:${memberId}`, { index: "gsi1", pk: ticketKeys.memberList(tenantId, memberId), skPrefix: MEMBER_TICKET_PREFIX }, args);
    return { ...page, items: page.items.map((i) => viewTicket(fromTicketItem(i), now)) };
  }
  const statuses: readonly TicketStatus[] = status ? [status] : TICKET_STATUSES;
  const partitions = statuses.map((s) => (staff ? ticketKeys.staffList(tenantId, staff, s) : ticketKeys.statusList(tenantId, s)));
  const page = await queryShardedPage<Record<string, unknown>>(tenantId, `tickets:${staff ?? ""}:${status ?? "ANY"}`, { index: staff ? "gsi3" : "gsi2", partitions }, args);
  return { ...page, items: page.items.map((i) => viewTicket(fromTicketItem(i), now)) };
}

/** A ticket's timeline, oldest first (status moves, replies, notes, assignments, the survey). */
export async function listTicketTimeline(tenantId: string, ticketId: string, args: PageArgs): Promise<Page<TimelineEntry>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `ticket-log:${ticketId}`, { pk: ticketKeys.partition(tenantId, ticketId), skPrefix: LOG_PREFIX }, args, { ascending: true });
  return {
    ...page,
    items: page.items.map((i) => {
      const { pk: _pk, sk: _sk, ...entry } = i;
      return entry as unknown as TimelineEntry;
    }),
  };
}

export const SLA_FILTERS = ["BREACHED", "AT_RISK", "ALL"] as const;
export type SlaFilter = (typeof SLA_FILTERS)[number];

export interface AwaitingFilter {
  sla?: string | null;
  /** AT_RISK: due within this many hours from now (default 24, 1-720). */
  withinHours?: number | null;
}

/**
 * Open tickets still waiting for their first response, soonest due first (the most overdue at
 * the top): BREACHED = due before now, AT_RISK = not breached and due within `withinHours`,
 * ALL = every one. One Query of the AWAITING list, whose entries come and go in the tickets'
 * own transactions; the breach boundary is the instant `now`.
 */
export async function listTicketsAwaitingResponse(tenantId: string, filter: AwaitingFilter | null | undefined, args: PageArgs, now = new Date()): Promise<Page<TicketView>> {
  const sla = filter?.sla ? mv.oneOf(SLA_FILTERS, filter.sla, "filter.sla") : "ALL";
  const within = filter?.withinHours ?? 24;
  if (!Number.isInteger(within) || within < 1 || within > 720) throw new ValidationError("filter.withinHours must be a whole number from 1 to 720", "filter.withinHours");
  const at = now.toISOString();
  // Sort keys are `<dueAt>#<id>`: every key of a due time before `at` sorts below `at` itself,
  // a due time equal to `at` (not yet breached) just above it.
  const range = sla === "BREACHED" ? { skTo: at } : sla === "AT_RISK" ? { skFrom: at, skTo: `${new Date(now.getTime() + within * HOUR_MS).toISOString()}#\uffff` } : {};
  const scope = `tickets-awaiting:${sla}:${sla === "AT_RISK" ? within : ""}`;
  const page = await queryPage<{ ticketId: string }>(tenantId, scope, { pk: ticketKeys.awaitingList(tenantId), ...range }, args, { ascending: true });
  const tickets = await getTickets(tenantId, page.items.map((e) => e.ticketId), now);
  // An entry and its ticket are written together; a read between two writes may see one without the other.
  const items: TicketView[] = [];
  const cursors: string[] = [];
  tickets.forEach((t, i) => {
    if (t && t.sla !== "MET" && (t.status === "OPEN" || t.status === "IN_PROGRESS")) {
      items.push(t);
      cursors.push(page.cursors[i]!);
    }
  });
  return { items, cursors, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
}

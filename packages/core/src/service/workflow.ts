import { assertAssignee } from "./assignee.js";
import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import { requireText } from "../shared/text.js";
import { viewTicket, type TicketView } from "./item.js";
import { getStoredTicket, optionalStaffId, writeTicket, type Actor, type NewEntry } from "./store.js";
import { MAX_MESSAGE, TICKET_STATUSES, TRANSITIONS, type Ticket } from "./types.js";

export interface TicketStatusChange {
  ticketId: string;
  status: string;
  /** Shown in the timeline with the move. */
  comment?: string | null;
  /** The revision the caller saw; another one is CONFLICT. */
  expectedRevision?: number | null;
}

export interface TicketResponseInput {
  ticketId: string;
  message: string;
  /** An internal note (not a reply to the member, so it does not stop the SLA clock). */
  internal?: boolean | null;
  expectedRevision?: number | null;
}

export interface TicketAssignment {
  ticketId: string;
  /** Staff id; null or absent unassigns. */
  assigneeStaffId?: string | null;
  expectedRevision?: number | null;
}

const elapsed = (from: string, now: Date) => Math.max(0, now.getTime() - Date.parse(from));

/** Stops the first-response clock at `now` (no-op once stopped): time to first response and breach are stored. */
function stopClock(next: Ticket, now: Date): void {
  if (next.firstResponseAt) return;
  next.firstResponseAt = now.toISOString();
  next.firstResponseMs = elapsed(next.createdAt, now);
  next.slaBreached = now.getTime() > Date.parse(next.firstResponseDueAt);
}

const bump = (stored: Ticket, now: Date): Ticket => ({ ...stored, revision: stored.revision + 1, updatedAt: now.toISOString() });

/**
 * Moves a ticket along the workflow (types.ts TRANSITIONS). RESOLVED records the resolution
 * (time to resolution from opening; the first resolution also stops the first-response clock
 * when nobody replied before); CLOSED records when; OPEN from RESOLVED or CLOSED is a reopen
 * (the resolution is cleared; the timeline keeps it, and the next resolution may be surveyed
 * again). An invalid move is BAD_USER_INPUT naming the valid ones; a concurrent change CONFLICT.
 */
export async function changeTicketStatus(tenantId: string, change: TicketStatusChange, by: Actor, now = new Date()): Promise<TicketView> {
  const to = mv.oneOf(TICKET_STATUSES, change.status, "input.status");
  const comment = change.comment ? requireText(change.comment, "input.comment", MAX_MESSAGE) : undefined;
  const stored = await getStoredTicket(tenantId, change.ticketId, change.expectedRevision);
  const allowed = TRANSITIONS[stored.status];
  if (!allowed.includes(to)) {
    throw new ValidationError(`ticket ${stored.ticketId} is ${stored.status}: it can move to ${allowed.join(" or ")}, not ${to}`, "input.status");
  }
  const at = now.toISOString();
  const next = bump(stored, now);
  next.status = to;
  switch (to) {
    case "RESOLVED":
      stopClock(next, now);
      next.resolutions = stored.resolutions + 1;
      next.resolvedAt = at;
      next.resolutionMs = elapsed(stored.createdAt, now);
      break;
    case "CLOSED":
      next.closedAt = at;
      break;
    case "OPEN":
      // A reopen (from RESOLVED or CLOSED) clears the resolution; back from IN_PROGRESS changes nothing else.
      next.resolvedAt = undefined;
      next.resolutionMs = undefined;
      next.closedAt = undefined;
      break;
    case "IN_PROGRESS":
      break;
  }
  const entries: NewEntry[] = [{ kind: "STATUS", at, by: by.actor, fromStatus: stored.status, toStatus: to, message: comment }];
  return viewTicket(await writeTicket(stored, next, entries), now);
}

/**
 * A staff reply to the member, or an internal note. The first reply stops the SLA clock:
 * time to first response is stored, and the breach (a reply after the due time) with it.
 * Replies are refused on CLOSED tickets (reopen first); notes are always allowed.
 */
export async function respondToTicket(tenantId: string, input: TicketResponseInput, by: Actor, now = new Date()): Promise<TicketView> {
  const message = requireText(input.message, "input.message", MAX_MESSAGE);
  const stored = await getStoredTicket(tenantId, input.ticketId, input.expectedRevision);
  const internal = input.internal === true;
  if (!internal && stored.status === "CLOSED") throw new ValidationError(`ticket ${stored.ticketId} is CLOSED: reopen it (status OPEN) to reply`, "input.ticketId");
  const next = bump(stored, now);
  if (!internal) stopClock(next, now);
  const entries: NewEntry[] = [{ kind: internal ? "NOTE" : "RESPONSE", at: now.toISOString(), by: by.actor, message }];
  return viewTicket(await writeTicket(stored, next, entries), now);
}

/** Assigns a ticket to a staff id (or unassigns it). Closed tickets keep their assignee. */
export async function assignTicket(tenantId: string, input: TicketAssignment, by: Actor, now = new Date()): Promise<TicketView> {
  const assigneeStaffId = optionalStaffId(input.assigneeStaffId);
  await assertAssignee(tenantId, assigneeStaffId);
  const stored = await getStoredTicket(tenantId, input.ticketId, input.expectedRevision);
  if (stored.status === "CLOSED") throw new ValidationError(`ticket ${stored.ticketId} is CLOSED: reopen it to reassign`, "input.ticketId");
  if (stored.assigneeStaffId === assigneeStaffId) return viewTicket(stored, now);
  const next = bump(stored, now);
  next.assigneeStaffId = assigneeStaffId;
  const entries: NewEntry[] = [{ kind: "ASSIGNED", at: now.toISOString(), by: by.actor, assigneeStaffId }];
  return viewTicket(await writeTicket(stored, next, entries), now);
}

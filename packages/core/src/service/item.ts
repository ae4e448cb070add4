import { stripKeys } from "../db/keys.js";
import { ticketKeys } from "./keys.js";
import { OPEN_STATUSES, type SlaState, type Ticket } from "./types.js";

/** The stored item of a ticket with its list keys (gsi3 only when assigned). */
export function ticketItem(c: Ticket): Record<string, unknown> {
  return {
    ...ticketKeys.item(c.tenantId, c.ticketId),
    gsi1pk: ticketKeys.memberList(c.tenantId, c.memberId),
    gsi1sk: ticketKeys.memberSort(c.createdAt, c.ticketId),
    gsi2pk: ticketKeys.statusList(c.tenantId, c.status),
    gsi2sk: ticketKeys.createdSort(c.createdAt, c.ticketId),
    ...(c.assigneeStaffId ? { gsi3pk: ticketKeys.staffList(c.tenantId, c.assigneeStaffId, c.status), gsi3sk: ticketKeys.createdSort(c.createdAt, c.ticketId) } : {}),
    ...c,
  };
}

export const fromTicketItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Ticket;

/** Whether the ticket waits for its first response (it is then in the AWAITING list). */
export const isAwaiting = (c: Pick<Ticket, "status" | "firstResponseAt">): boolean => OPEN_STATUSES.includes(c.status) && !c.firstResponseAt;

/**
 * The SLA as readers see it at `now`: MET or BREACHED once the clock stopped (stored); while it
 * runs, BREACHED from the first millisecond after the due time (a response at the due instant
 * itself is in time), PENDING before.
 */
export function slaState(c: Pick<Ticket, "firstResponseAt" | "slaBreached" | "firstResponseDueAt">, now: Date): SlaState {
  if (c.firstResponseAt) return c.slaBreached ? "BREACHED" : "MET";
  return now.getTime() > Date.parse(c.firstResponseDueAt) ? "BREACHED" : "PENDING";
}

/** A ticket as readers see it at `now`. */
export interface TicketView extends Ticket {
  sla: SlaState;
  /** The SLA flag at read time (BREACHED). */
  breached: boolean;
}

export const viewTicket = (c: Ticket, now: Date): TicketView => {
  const sla = slaState(c, now);
  return { ...c, sla, breached: sla === "BREACHED" };
};

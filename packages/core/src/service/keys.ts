/**
 * Keys of service tickets (docs/service.md has the table). Every partition key starts with
 * `T#<tenant>#` built from a checked tenant id; ticket and staff ids are client-style ids (no `#`).
 *
 * | Item | pk | sk | gsi1 | gsi2 | gsi3 |
 * |---|---|---|---|---|---|
 * | Ticket | `T#t#TICKET#<id>` | `TICKET` | `T#t#M#<member>` / `TICKET#<createdAt>#<id>` | `T#t#TICKETS#<status>` / `<createdAt>#<id>` | `T#t#TICKETS#STAFF#<staff>#<status>` / `<createdAt>#<id>` (sparse) |
 * | Timeline entry | `T#t#TICKET#<id>` | `LOG#<revision>#<n>` | | | |
 * | Survey answer | `T#t#TSURVEY#<id>#<resolution>` | `TICKET_SURVEY` | `T#t#TSURVEYS` / `<answeredAt>#<id>#<resolution>` | | |
 * | Awaiting first response | `T#t#TICKETS#AWAITING` | `<firstResponseDueAt>#<id>` | | | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

export const TICKET_SK = "TICKET";
export const SURVEY_SK = "TICKET_SURVEY";
export const LOG_PREFIX = "LOG#";
export const MEMBER_TICKET_PREFIX = "TICKET#";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export function assertTicketId(ticketId: string, field = "id"): string {
  if (!CLIENT_ID_PATTERN.test(ticketId)) throw new ValidationError(`${field} is not a ticket id`, field);
  return ticketId;
}

export function assertStaffId(staffId: string, field = "assigneeStaffId"): string {
  if (!CLIENT_ID_PATTERN.test(staffId)) throw new ValidationError(`${field} is not a staff id (1-100 letters, digits or _.:-)`, field);
  return staffId;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

export const ticketKeys = {
  partition: (tenantId: string, ticketId: string) => `${t(tenantId)}#TICKET#${assertTicketId(ticketId)}`,
  item: (tenantId: string, ticketId: string): Keys => ({ pk: ticketKeys.partition(tenantId, ticketId), sk: TICKET_SK }),
  /** Timeline entries sort by the revision that wrote them, then their place in that write. */
  log: (tenantId: string, ticketId: string, revision: number, n: number): Keys => ({ pk: ticketKeys.partition(tenantId, ticketId), sk: `${LOG_PREFIX}${pad(revision, 8)}#${n}` }),
  /** gsi1: a member's tickets, beside their orders and events. */
  memberList: (tenantId: string, memberId: string) => keys.memberPartition(tenantId, memberId),
  memberSort: (createdAt: string, ticketId: string) => `${MEMBER_TICKET_PREFIX}${createdAt}#${ticketId}`,
  /** gsi2: tickets of a status by creation time (all statuses = the four lists merged). */
  statusList: (tenantId: string, status: string) => `${t(tenantId)}#TICKETS#${status}`,
  /** gsi3: an assignee's tickets of a status. */
  staffList: (tenantId: string, staffId: string, status: string) => `${t(tenantId)}#TICKETS#STAFF#${assertStaffId(staffId)}#${status}`,
  createdSort: (createdAt: string, ticketId: string) => `${createdAt}#${ticketId}`,
  survey: (tenantId: string, ticketId: string, resolution: number): Keys => ({ pk: `${t(tenantId)}#TSURVEY#${assertTicketId(ticketId)}#${pad(resolution, 4)}`, sk: SURVEY_SK }),
  /** gsi1: survey answers by the time they were given. */
  surveyList: (tenantId: string) => `${t(tenantId)}#TSURVEYS`,
  surveySort: (answeredAt: string, ticketId: string, resolution: number) => `${answeredAt}#${ticketId}#${pad(resolution, 4)}`,
  /** Tickets still waiting for their first response, by due time (soonest first). */
  awaitingList: (tenantId: string) => `${t(tenantId)}#TICKETS#AWAITING`,
  awaitingSort: (dueAt: string, ticketId: string) => `${dueAt}#${ticketId}`,
};

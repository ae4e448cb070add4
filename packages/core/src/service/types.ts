import type { Channel } from "../member/types.js";

/**
 * Service tickets (服务型私域): a member's question or problem, opened by the member (mini
 * program, WeCom chat) or by staff for them, answered and resolved by staff, then rated.
 * Design, definitions and keys: docs/service.md.
 */
export const TICKET_STATUSES = ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * The workflow. OPEN → IN_PROGRESS → RESOLVED → CLOSED; a ticket may be resolved straight from
 * OPEN (answered in one reply); REOPEN is RESOLVED or CLOSED → OPEN (the member comes back).
 * Anything else is refused with the moves that are allowed.
 */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  OPEN: ["IN_PROGRESS", "RESOLVED"],
  IN_PROGRESS: ["OPEN", "RESOLVED"],
  RESOLVED: ["CLOSED", "OPEN"],
  CLOSED: ["OPEN"],
};

/** Statuses in which a ticket still needs work (the SLA clock runs here until the first response). */
export const OPEN_STATUSES: readonly TicketStatus[] = ["OPEN", "IN_PROGRESS"];

export const TICKET_CATEGORIES = ["PRODUCT", "ORDER", "DELIVERY", "RETURN_REFUND", "MEMBERSHIP", "COMPLAINT", "OTHER"] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_PRIORITIES = ["LOW", "NORMAL", "HIGH", "URGENT"] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Timeline entry kinds: a status move, a reply to the member, an internal note, an assignment. */
export const TIMELINE_KINDS = ["CREATED", "STATUS", "RESPONSE", "NOTE", "ASSIGNED", "SURVEY"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const MAX_SUBJECT = 200;
export const MAX_DESCRIPTION = 4000;
export const MAX_MESSAGE = 4000;
/** Staff ids (and who opened a ticket): client-style ids. */
export const MAX_STAFF_ID = 100;

/** Response target in hours when the brand set none: the seeds' "7-day response mechanism". */
export const DEFAULT_RESPONSE_SLA_HOURS = 168;
/** Bounds of the configurable target (1 hour to 30 days). */
export const MIN_RESPONSE_SLA_HOURS = 1;
export const MAX_RESPONSE_SLA_HOURS = 720;

/** A ticket as stored (the SLA view adds the read-time breach). */
export interface Ticket {
  tenantId: string;
  ticketId: string;
  memberId: string;
  channel: Channel;
  category: TicketCategory;
  priority: TicketPriority;
  subject: string;
  description?: string;
  status: TicketStatus;
  /** Staff member handling it (core/src/staff/): must exist and not have left when assigned. */
  assigneeStaffId?: string;
  /** Who opened it: `member` when the member did, else the staff principal. */
  openedBy: string;
  /** The SLA target in force when the ticket was opened (a later settings change does not move it). */
  slaHours: number;
  /** createdAt + slaHours. */
  firstResponseDueAt: string;
  /** First reply to the member (or the first resolution when nobody replied before it). */
  firstResponseAt?: string;
  /** firstResponseAt − createdAt, in milliseconds. */
  firstResponseMs?: number;
  /** Stored once the clock stopped: true if the first response came after the due time. */
  slaBreached?: boolean;
  /** The latest resolution (cleared on reopen; the timeline keeps every one). */
  resolvedAt?: string;
  /** resolvedAt − createdAt, in milliseconds (of the latest resolution). */
  resolutionMs?: number;
  closedAt?: string;
  /** Resolutions so far (a reopened and re-resolved ticket has 2); a survey is per resolution. */
  resolutions: number;
  /** The resolution whose survey was answered (0 = none yet). */
  surveyedResolution: number;
  /** Score of the latest survey, 0-10. */
  satisfactionScore?: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** One entry of a ticket's timeline. */
export interface TimelineEntry {
  ticketId: string;
  entryId: string;
  kind: TimelineKind;
  at: string;
  /** Staff principal or `member`. */
  by: string;
  fromStatus?: TicketStatus;
  toStatus?: TicketStatus;
  /** Reply, note or comment text. */
  message?: string;
  assigneeStaffId?: string;
  score?: number;
}

/** A satisfaction survey answer (one per resolution). */
export interface TicketSurvey {
  tenantId: string;
  ticketId: string;
  resolution: number;
  memberId: string;
  score: number;
  comment?: string;
  channel: Channel;
  assigneeStaffId?: string;
  answeredAt: string;
}

/** SLA state as readers see it at an instant. */
export type SlaState = "PENDING" | "MET" | "BREACHED";

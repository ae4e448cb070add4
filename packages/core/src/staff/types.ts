/**
 * Staff of a brand (导购 shopping assistants, store managers, service agents) and what hangs off
 * them: the members they own (the WeCom contact who added the member), ownership history,
 * bulk reassignments when staff leave, staff touches and the orders attributed to them.
 * Keys in `keys.ts`; design in docs/staff.md.
 */

export const STAFF_ROLES = ["SHOPPING_ASSISTANT", "STORE_MANAGER", "SERVICE_AGENT"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_STATUSES = ["ACTIVE", "LEFT"] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

/**
 * Members are spread over BUCKETS buckets by a hash of their id (`bucketOf`); a reassignment to
 * several staff members gives each a contiguous range of buckets.
 */
export const BUCKETS = 16;

/** One receiver of a reassignment: the members in buckets `lo` <= b < `hi`. */
export interface ReassignmentTarget {
  staffId: string;
  lo: number;
  hi: number;
}

/** A reassignment of every member a staff member owns to one or more others, while the mover runs. */
export interface ActiveReassignment {
  reassignmentId: string;
  targets: ReassignmentTarget[];
}

export interface Staff {
  tenantId: string;
  staffId: string;
  name: string;
  storeId?: string;
  role: StaffRole;
  status: StaffStatus;
  wecomUserId?: string;
  /**
   * Members whose OWNER item names this staff member, and of those the ones with at least one
   * order (buyers) and at least two (repeaters); ADDed in the transactions that change them.
   */
  ownedCount: number;
  buyerCount: number;
  repeatCount: number;
  /** The same three counters per member bucket (attributes `o<b>`, `y<b>`, `r<b>`), so a spread reassignment's share is exact. */
  buckets: { owned: number[]; buyers: number[]; repeat: number[] };
  /** Set while this staff member's members are being moved to another (readers honour it). */
  reassignment?: ActiveReassignment;
  /** Staff members whose members are being moved to this one (the inverse of `reassignment`). */
  incoming?: string[];
  leftAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** The OWNER item in a member's partition: who owns the member (as stored, before reassignments). */
export interface Ownership {
  memberId: string;
  staffId: string;
  /** The member's join time (sort key of the staff's member list). */
  joinedAt: string;
  /** Copy of the member's order count, kept by order recording (repurchase counters move with it). */
  orderCount: number;
  assignedAt: string;
}

export const OWNERSHIP_REASONS = ["ADDED", "ASSIGNED", "UNASSIGNED", "REASSIGNED"] as const;
/**
 * ADDED: the staff member added the member (a new WeCom contact; counts as a new member of the
 * staff member); ASSIGNED: handed over by hand; UNASSIGNED: ownership removed; REASSIGNED: moved
 * by a bulk reassignment.
 */
export type OwnershipReason = (typeof OWNERSHIP_REASONS)[number];

export interface OwnershipChange {
  changeId: string;
  memberId: string;
  fromStaffId?: string;
  toStaffId?: string;
  reason: OwnershipReason;
  note?: string;
  actor: string;
  reassignmentId?: string;
  changedAt: string;
}

export const REASSIGNMENT_STATUSES = ["MOVING", "DONE"] as const;
export type ReassignmentStatus = (typeof REASSIGNMENT_STATUSES)[number];

export interface Reassignment {
  tenantId: string;
  reassignmentId: string;
  fromStaffId: string;
  /** One receiver, or several sharing the members by bucket. */
  targets: ReassignmentTarget[];
  status: ReassignmentStatus;
  /** Members the source owned when the reassignment started (what the mover has to move). */
  memberCount: number;
  /** Members moved so far (ADDed by each mover transaction). */
  movedCount: number;
  note?: string;
  actor: string;
  /** Whether the source is marked LEFT (in the starting transaction). */
  markedLeft: boolean;
  createdAt: string;
  finishedAt?: string;
}

export const STAFF_TOUCH_KINDS = ["MESSAGE", "CALL", "MOMENT", "STORE_VISIT", "OTHER"] as const;
/** MESSAGE: a 1:1 WeCom chat; CALL: a phone or video call; MOMENT: a Moments (朋友圈) post the member engaged with; STORE_VISIT: served in store. */
export type StaffTouchKind = (typeof STAFF_TOUCH_KINDS)[number];

export interface StaffTouch {
  tenantId: string;
  touchId: string;
  memberId: string;
  staffId: string;
  kind: StaffTouchKind;
  note?: string;
  occurredAt: string;
  createdAt: string;
}

/** Per staff member and local day (the tenant's zone): counters written as things happen. */
export interface StaffDay {
  date: string;
  /** Members the staff member ADDED that day. */
  added: number;
  touches: number;
  /** Orders of members the staff member owned (in effect) when the order was recorded. */
  ownedOrders: number;
  ownedRevenueMinor: number;
  /** Refunds (that day) of such orders. */
  ownedRefundedMinor: number;
  /** Orders attributed to the staff member (the latest staff touch within the window). */
  attributedOrders: number;
  attributedRevenueMinor: number;
  attributedRefundedMinor: number;
}

export const MAX_STAFF_NAME = 100;
export const MAX_NOTE = 500;

/**
 * Keys of the staff items. Staff ids are client-style ids, so they never contain `#`.
 *
 * | Item | pk | sk | gsi1 | gsi2 |
 * |---|---|---|---|---|
 * | Staff member | `T#t#STAFF#<id>` | `STAFF` | `T#t#STAFFS#<status>` / `<name>#<id>` | `T#t#STORESTAFF#<store>#<status>` / `<name>#<id>` (sparse) |
 * | Staff day counters | `T#t#STAFF#<id>` | `DAY#<yyyy-mm-dd>` | | |
 * | Reassignment | `T#t#STAFF#<from>` | `REASSIGN#<id>` | `T#t#REASSIGNING` / `<createdAt>#<from>#<id>` (sparse: while MOVING) | |
 * | Ownership of a member | `T#t#M#<member>` | `OWNER` | `T#t#STAFF#<staff>#OWNED` / `<joinedAt>#<member>` | |
 * | Ownership change | `T#t#M#<member>` | `OWNERCHG#<changedAt>#<id>` | | |
 * | Staff touch | `T#t#M#<member>` | `STOUCH#<id>` | `T#t#STAFF#<staff>#TOUCHES` / `<occurredAt>#<id>` | |
 * | Staff settings | `T#t` | `STAFF_SETTINGS` | | |
 */
import { assertTenantId, keys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export const isStaffId = (id: string) => CLIENT_ID_PATTERN.test(id);

export function assertStaffId(staffId: string, field = "staffId"): string {
  if (!isStaffId(staffId)) throw new ValidationError(`${field} must be 1-100 letters, digits or _.:-`, field);
  return staffId;
}

export const STAFF_SK = "STAFF";
export const OWNER_SK = "OWNER";

export const staffKeys = {
  partition: (tenantId: string, staffId: string) => `${t(tenantId)}#STAFF#${assertStaffId(staffId)}`,
  staff: (tenantId: string, staffId: string): Keys => ({ pk: staffKeys.partition(tenantId, staffId), sk: STAFF_SK }),
  /** gsi1: a brand's staff of one status, by name. */
  byStatus: (tenantId: string, status: string) => `${t(tenantId)}#STAFFS#${status}`,
  /** gsi2: a store's staff of one status, by name. */
  ofStore: (tenantId: string, storeId: string, status: string) => `${t(tenantId)}#STORESTAFF#${storeId}#${status}`,
  nameSort: (name: string, staffId: string) => `${name}#${staffId}`,
  day: (tenantId: string, staffId: string, date: string): Keys => ({ pk: staffKeys.partition(tenantId, staffId), sk: `DAY#${date}` }),
  reassignment: (tenantId: string, fromStaffId: string, reassignmentId: string): Keys => ({
    pk: staffKeys.partition(tenantId, fromStaffId),
    sk: `REASSIGN#${reassignmentId}`,
  }),
  /** gsi1 (sparse): reassignments still moving, for the mover task. */
  reassigning: (tenantId: string) => `${t(tenantId)}#REASSIGNING`,
  owner: (tenantId: string, memberId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: OWNER_SK }),
  /** gsi1: the members a staff member owns (as stored), newest joined first. */
  owned: (tenantId: string, staffId: string) => `${staffKeys.partition(tenantId, staffId)}#OWNED`,
  ownedSort: (joinedAt: string, memberId: string) => keys.joinedSort(joinedAt, memberId),
  ownershipChange: (tenantId: string, memberId: string, changedAt: string, changeId: string): Keys => ({
    pk: keys.memberPartition(tenantId, memberId),
    sk: `OWNERCHG#${changedAt}#${changeId}`,
  }),
  touch: (tenantId: string, memberId: string, touchId: string): Keys => ({ pk: keys.memberPartition(tenantId, memberId), sk: `STOUCH#${touchId}` }),
  /** gsi1: a staff member's touches, newest first. */
  touchesOf: (tenantId: string, staffId: string) => `${staffKeys.partition(tenantId, staffId)}#TOUCHES`,
  settings: (tenantId: string): Keys => ({ pk: t(tenantId), sk: "STAFF_SETTINGS" }),
};

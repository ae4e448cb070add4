import { findStaff } from "../staff/staff.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";

/** A ticket's assignee must be a staff member of the brand who has not left (one GetItem). */
export async function assertAssignee(tenantId: string, staffId: string | undefined): Promise<void> {
  if (!staffId) return;
  const staff = await findStaff(tenantId, staffId);
  if (!staff) throw new NotFoundError("Staff member", staffId);
  if (staff.status !== "ACTIVE") throw new ConflictError(`staff member ${staffId} has left: assign the ticket to someone else`, { reason: "STAFF_LEFT", field: "input.assigneeStaffId" });
}

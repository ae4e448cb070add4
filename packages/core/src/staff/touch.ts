import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { counterUpdate } from "../db/counters.js";
import { stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { localDate } from "../jobs/periods.js";
import { changeMember } from "../member/mutate.js";
import type { Member } from "../member/types.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { checkPattern, cleanText, toUtcInstant } from "../shared/text.js";
import { getSettings } from "../tenant/settings.js";
import { staffKeys } from "./keys.js";
import { getStaffMany } from "./staff.js";
import { MAX_NOTE, STAFF_TOUCH_KINDS, type StaffTouch, type StaffTouchKind } from "./types.js";

/** The member's latest staff touch, kept on the member item (as `lastTouch` is for campaigns). */
export type StaffTouchMark = { staffId: string; at: string; touchId: string };
export const lastStaffTouchOf = (member: Member): StaffTouchMark | undefined => (member as Member & { lastStaffTouch?: StaffTouchMark }).lastStaffTouch;

export interface StaffTouchInput {
  /** The client's id for the touch (idempotency); generated when absent. */
  touchId?: string | null;
  memberId: string;
  staffId: string;
  kind: string;
  note?: string | null;
  occurredAt?: string | null;
}

const fromTouchItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as StaffTouch;

/**
 * Records that a staff member reached a member (a WeCom chat, a call, a store visit): the touch
 * item, the member's `lastStaffTouch` (when this is the latest) and the staff member's day
 * counter, in the member's version-checked transaction. Idempotent by `touchId`: a repeat
 * returns the stored touch (`duplicate`), a different payload under the same id is a CONFLICT.
 * Orders recorded later attribute to the latest touch within the window (orders.ts).
 */
export async function recordStaffTouch(tenantId: string, input: StaffTouchInput, by: { actor: string }): Promise<{ touch: StaffTouch; duplicate: boolean }> {
  const touchId = input.touchId ? checkPattern(input.touchId, CLIENT_ID_PATTERN, "id", "must be 1-100 letters, digits or _.:-") : newId("stt");
  if (!(STAFF_TOUCH_KINDS as readonly string[]).includes(input.kind)) throw new ValidationError(`kind must be one of ${STAFF_TOUCH_KINDS.join(", ")}`, "kind");
  const note = cleanText(input.note, "note", MAX_NOTE);
  const occurredAt = input.occurredAt ? toUtcInstant(input.occurredAt, "occurredAt") : new Date().toISOString();
  const [staff] = await getStaffMany(tenantId, [input.staffId]);
  if (!staff) throw new NotFoundError("Staff member", input.staffId);
  const { timeZone } = await getSettings(tenantId);
  const existing = await findTouch(tenantId, input.memberId, touchId);
  if (existing) return same(existing, input, occurredAt);
  if (staff.status !== "ACTIVE") throw new ConflictError(`staff member ${staff.staffId} has left`, { field: "staffId" });
  try {
    return await changeMember(tenantId, input.memberId, (member) => {
      const touch: StaffTouch = {
        tenantId,
        touchId,
        memberId: member.memberId,
        staffId: staff.staffId,
        kind: input.kind as StaffTouchKind,
        ...(note ? { note } : {}),
        occurredAt,
        createdAt: new Date().toISOString(),
      };
      const last = lastStaffTouchOf(member);
      const latest = !last || occurredAt >= last.at;
      return {
        member: latest ? { set: { lastStaffTouch: { staffId: staff.staffId, at: occurredAt, touchId } } } : {},
        items: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...staffKeys.touch(tenantId, member.memberId, touchId), gsi1pk: staffKeys.touchesOf(tenantId, staff.staffId), gsi1sk: `${occurredAt}#${touchId}`, ...touch },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          counterUpdate(staffKeys.day(tenantId, staff.staffId, localDate(occurredAt, timeZone)), { staffId: staff.staffId }, { touches: 1 }),
        ],
        result: { touch, duplicate: false },
        explain: () => new ConflictError("touch recorded at the same time"),
      };
    });
  } catch (error) {
    const raced = await findTouch(tenantId, input.memberId, touchId);
    if (raced) return same(raced, input, occurredAt);
    throw error;
  }
}

function same(existing: StaffTouch, input: StaffTouchInput, occurredAt: string): { touch: StaffTouch; duplicate: boolean } {
  const explicit = input.occurredAt !== undefined && input.occurredAt !== null;
  if (existing.staffId !== input.staffId || existing.kind !== input.kind || (explicit && existing.occurredAt !== occurredAt)) {
    throw new ConflictError(`touch id ${existing.touchId} was already used for a different touch`, { field: "id" });
  }
  return { touch: existing, duplicate: true };
}

async function findTouch(tenantId: string, memberId: string, touchId: string): Promise<StaffTouch | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: staffKeys.touch(tenantId, memberId, touchId), ConsistentRead: true }));
  return out.Item ? fromTouchItem(out.Item) : undefined;
}

/** A staff member's touches, newest first. */
export async function listStaffTouches(tenantId: string, staffId: string, args: PageArgs): Promise<Page<StaffTouch>> {
  const page = await queryPage<Record<string, unknown>>(tenantId, `staff-touches:${staffId}`, { index: "gsi1", pk: staffKeys.touchesOf(tenantId, staffId) }, args);
  return { ...page, items: page.items.map(fromTouchItem) };
}

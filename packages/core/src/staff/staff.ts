import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { batchGet } from "../db/batch.js";
import { documentClient, tableName } from "../db/client.js";
import { stripKeys, type IndexKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import { backoff } from "../db/transact.js";
import { buildUpdate } from "../db/update.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";
import { checkPattern, requireText } from "../shared/text.js";
import { findStore } from "../store/read.js";
import { isStaffId, staffKeys } from "./keys.js";
import { BUCKETS, MAX_STAFF_NAME, STAFF_ROLES, STAFF_STATUSES, type Staff, type StaffRole, type StaffStatus } from "./types.js";

export interface CreateStaffInput {
  /** The brand's own staff id (employee number); generated (`st_<ulid>`) when absent. */
  staffId?: string | null;
  name: string;
  storeId?: string | null;
  role: string;
  wecomUserId?: string | null;
}

/** Omitted or null keeps a field, except `storeId` and `wecomUserId`, which null clears. */
export interface UpdateStaffInput {
  name?: string | null;
  storeId?: string | null;
  role?: string | null;
  status?: string | null;
  wecomUserId?: string | null;
}

const WECOM_USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

function role(value: string): StaffRole {
  if (!(STAFF_ROLES as readonly string[]).includes(value)) throw new ValidationError(`role must be one of ${STAFF_ROLES.join(", ")}`, "role");
  return value as StaffRole;
}

function status(value: string): StaffStatus {
  if (!(STAFF_STATUSES as readonly string[]).includes(value)) throw new ValidationError(`status must be one of ${STAFF_STATUSES.join(", ")}`, "status");
  return value as StaffStatus;
}

const wecom = (value: string) => checkPattern(value.trim(), WECOM_USER_ID, "wecomUserId", "must be 1-64 letters, digits or _.@-");

async function checkStore(tenantId: string, storeId: string): Promise<string> {
  if (!(await findStore(tenantId, storeId))) throw new NotFoundError("Store", storeId);
  return storeId;
}

/** The index keys a staff item carries: the brand's list by status, the store's list by status. */
export function staffIndexKeys(s: Pick<Staff, "tenantId" | "staffId" | "name" | "status" | "storeId">): IndexKeys {
  const sort = staffKeys.nameSort(s.name, s.staffId);
  return {
    gsi1pk: staffKeys.byStatus(s.tenantId, s.status),
    gsi1sk: sort,
    ...(s.storeId ? { gsi2pk: staffKeys.ofStore(s.tenantId, s.storeId, s.status), gsi2sk: sort } : {}),
  };
}

/** Attribute names of the per-bucket counters. */
export const bucketAttr = { owned: (b: number) => `o${b}`, buyers: (b: number) => `y${b}`, repeat: (b: number) => `r${b}` };

export function fromStaffItem(item: Record<string, unknown>): Staff {
  const raw = stripKeys(item) as Record<string, unknown>;
  const read = (name: (b: number) => string) => Array.from({ length: BUCKETS }, (_, b) => (raw[name(b)] as number | undefined) ?? 0);
  const buckets = { owned: read(bucketAttr.owned), buyers: read(bucketAttr.buyers), repeat: read(bucketAttr.repeat) };
  for (let b = 0; b < BUCKETS; b++) for (const n of [bucketAttr.owned(b), bucketAttr.buyers(b), bucketAttr.repeat(b)]) delete raw[n];
  const s = raw as unknown as Staff & { incoming?: Set<string> | string[] };
  return {
    ...s,
    ownedCount: s.ownedCount ?? 0,
    buyerCount: s.buyerCount ?? 0,
    repeatCount: s.repeatCount ?? 0,
    buckets,
    incoming: s.incoming ? [...s.incoming].sort() : undefined,
  };
}

const withoutBuckets = ({ buckets: _b, ...rest }: Staff) => rest;

/** Creates a staff member (ACTIVE); CONFLICT when the id is taken, NOT_FOUND for an unknown store. */
export async function createStaff(tenantId: string, input: CreateStaffInput): Promise<Staff> {
  const staffId = input.staffId ? checkPattern(input.staffId, CLIENT_ID_PATTERN, "id", "must be 1-100 letters, digits or _.:-") : newId("st");
  const now = new Date().toISOString();
  const staff: Staff = {
    tenantId,
    staffId,
    name: requireText(input.name, "name", MAX_STAFF_NAME),
    ...(input.storeId ? { storeId: await checkStore(tenantId, input.storeId) } : {}),
    role: role(input.role),
    status: "ACTIVE",
    ...(input.wecomUserId ? { wecomUserId: wecom(input.wecomUserId) } : {}),
    ownedCount: 0,
    buyerCount: 0,
    repeatCount: 0,
    buckets: { owned: Array(BUCKETS).fill(0), buyers: Array(BUCKETS).fill(0), repeat: Array(BUCKETS).fill(0) },
    createdAt: now,
    updatedAt: now,
  };
  try {
    await documentClient().send(
      new PutCommand({ TableName: tableName(), Item: { ...staffKeys.staff(tenantId, staffId), ...staffIndexKeys(staff), ...withoutBuckets(staff) }, ConditionExpression: "attribute_not_exists(pk)" }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`staff member ${staffId} already exists`, { staffId, field: "id" });
    throw error;
  }
  return staff;
}

export async function findStaff(tenantId: string, staffId: string, consistent = false): Promise<Staff | undefined> {
  if (!isStaffId(staffId)) return undefined;
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: staffKeys.staff(tenantId, staffId), ConsistentRead: consistent }));
  return out.Item ? fromStaffItem(out.Item) : undefined;
}

export async function getStaff(tenantId: string, staffId: string, consistent = false): Promise<Staff> {
  const staff = await findStaff(tenantId, staffId, consistent);
  if (!staff) throw new NotFoundError("Staff member", staffId);
  return staff;
}

/** Many staff members by id (BatchGetItem), aligned with `ids`. */
export async function getStaffMany(tenantId: string, ids: readonly string[]): Promise<(Staff | undefined)[]> {
  const wanted = [...new Set(ids.filter(isStaffId))];
  const items = wanted.length ? await batchGet<Record<string, unknown>>(wanted.map((id) => staffKeys.staff(tenantId, id))) : [];
  const byId = new Map(items.map((item) => [item.staffId as string, fromStaffItem(item)]));
  return ids.map((id) => byId.get(id));
}

const MAX_UPDATE_ATTEMPTS = 5;

/**
 * Changes a staff member with one UpdateItem of the changed fields (the counters that ownership
 * and orders ADD are never rewritten), conditioned on the fields the index keys derive from
 * being unchanged. LEFT is refused (CONFLICT) while the staff member still owns members or a
 * reassignment into or out of them is moving: reassign first (`reassignStaffMembers`).
 */
export async function updateStaff(tenantId: string, staffId: string, input: UpdateStaffInput): Promise<Staff> {
  const name = input.name === undefined || input.name === null ? undefined : requireText(input.name, "name", MAX_STAFF_NAME);
  const newRole = input.role ? role(input.role) : undefined;
  const newStatus = input.status ? status(input.status) : undefined;
  const storeId = input.storeId === undefined ? undefined : input.storeId === null ? null : await checkStore(tenantId, input.storeId);
  const wecomUserId = input.wecomUserId === undefined ? undefined : input.wecomUserId === null || input.wecomUserId.trim() === "" ? null : wecom(input.wecomUserId);
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const current = await getStaff(tenantId, staffId, true);
    const next: Staff = {
      ...current,
      ...(name !== undefined ? { name } : {}),
      ...(newRole ? { role: newRole } : {}),
      ...(newStatus ? { status: newStatus } : {}),
    };
    if (storeId !== undefined) next.storeId = storeId ?? undefined;
    if (wecomUserId !== undefined) next.wecomUserId = wecomUserId ?? undefined;
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    for (const field of ["name", "role", "status", "storeId", "wecomUserId"] as const) {
      if (next[field] === current[field]) continue;
      if (next[field] === undefined) remove.push(field);
      else set[field] = next[field];
    }
    if (Object.keys(set).length === 0 && remove.length === 0) return current;
    if (next.status === "LEFT" && current.status !== "LEFT") set.leftAt = new Date().toISOString();
    if (next.status === "ACTIVE" && current.leftAt) remove.push("leftAt");
    const index = staffIndexKeys(next);
    Object.assign(set, { gsi1pk: index.gsi1pk, gsi1sk: index.gsi1sk }, index.gsi2pk ? { gsi2pk: index.gsi2pk, gsi2sk: index.gsi2sk } : {});
    if (!index.gsi2pk && current.storeId) remove.push("gsi2pk", "gsi2sk");
    set.updatedAt = new Date().toISOString();
    const leaving = next.status === "LEFT" && current.status !== "LEFT";
    const update = buildUpdate({
      set,
      remove,
      condition: [
        "attribute_exists(pk) AND #n0 = :n0 AND #st0 = :st0",
        current.storeId ? "#sid0 = :sid0" : "attribute_not_exists(#sid0)",
        leaving ? "(attribute_not_exists(ownedCount) OR ownedCount = :zero) AND attribute_not_exists(reassignment) AND attribute_not_exists(incoming)" : "",
      ]
        .filter(Boolean)
        .join(" AND "),
      names: { "#n0": "name", "#st0": "status", "#sid0": "storeId" },
      values: { ":n0": current.name, ":st0": current.status, ...(current.storeId ? { ":sid0": current.storeId } : {}), ...(leaving ? { ":zero": 0 } : {}) },
    });
    try {
      const out = await documentClient().send(new UpdateCommand({ TableName: tableName(), Key: staffKeys.staff(tenantId, staffId), ...update, ReturnValues: "ALL_NEW" }));
      return fromStaffItem(out.Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const fresh = await getStaff(tenantId, staffId, true);
      if (leaving && (fresh.ownedCount > 0 || fresh.reassignment || fresh.incoming?.length)) {
        throw new ConflictError(`staff member ${staffId} still owns ${fresh.ownedCount} members or has a reassignment moving; reassign them first`, { staffId });
      }
      await backoff(attempt);
    }
  }
  throw new ConflictError("the staff member changed at the same time; try again");
}

export interface StaffFilter {
  storeId?: string | null;
  /** Default ACTIVE. */
  status?: string | null;
}

/** Staff by name (A to Z) of one status, the brand's or one store's: one index partition. */
export async function listStaff(tenantId: string, filter: StaffFilter, args: PageArgs): Promise<Page<Staff>> {
  const st = filter.status ? status(filter.status) : "ACTIVE";
  const q = filter.storeId
    ? { index: "gsi2" as const, pk: staffKeys.ofStore(tenantId, checkPattern(filter.storeId, CLIENT_ID_PATTERN, "storeId", "is not a store id"), st) }
    : { index: "gsi1" as const, pk: staffKeys.byStatus(tenantId, st) };
  const page = await queryPage<Record<string, unknown>>(tenantId, `staff:${filter.storeId ?? ""}:${st}`, q, args, { ascending: true });
  return { ...page, items: page.items.map(fromStaffItem) };
}


import * as Service from "@growth/core/service";
import type { Member } from "@growth/core/member";
import type { Order } from "@growth/core/order";
import { ForbiddenError } from "@growth/core/shared";
import * as Staff from "@growth/core/staff";
import { getSettings } from "@growth/core/tenant";
import type { Principal } from "../auth.js";
import type { Context } from "../context.js";
import { assertMemberVisible, boundStaffId, ownerOf, staffById } from "../member-scope.js";
import { ADMIN_ONLY, definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { money } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";
import { storeById } from "./store.js";

definePermissions({
  "Query.staff": { roles: READ, doc: "Read a staff member (shopping assistant, store manager, service agent)." },
  "Query.staffMembers": { roles: READ, doc: "List staff members by store and status." },
  "Query.staffSettings": { roles: READ, doc: "Read the staff attribution window." },
  "Mutation.createStaff": { roles: ADMIN_ONLY, doc: "Create a staff member." },
  "Mutation.updateStaff": { roles: ADMIN_ONLY, doc: "Change a staff member (LEFT only once it owns no members)." },
  "Mutation.assignMemberOwner": { roles: OPERATE, doc: "Make a staff member the owner of a member." },
  "Mutation.unassignMemberOwner": { roles: OPERATE, doc: "Remove a member's owner." },
  "Mutation.reassignStaffMembers": { roles: ADMIN_ONLY, doc: "Move every member of a staff member to another (all or nothing)." },
  "Mutation.resumeStaffReassignment": { roles: ADMIN_ONLY, doc: "Finish a reassignment whose mover stopped." },
  "Mutation.recordStaffTouch": { roles: OPERATE, doc: "Record a staff touch of a member (orders attribute to it)." },
  "Mutation.updateStaffSettings": { roles: ADMIN_ONLY, doc: "Change the staff attribution window." },
});

type S = Staff.Staff;
const by = (ctx: Context) => ({ actor: ctx.principal.principalId });
const staffOf = (ctx: Context, id: string | undefined) => (id ? staffById(ctx).load(id) : null);
const currency = async (ctx: Context) => (await getSettings(ctx.tenantId)).currency;
/** `Date` arguments arrive as JS Dates (graphql-scalars); core takes `YYYY-MM-DD`. */
const day = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));
const empty = () => toConnection({ items: [], cursors: [], endCursor: null, hasNextPage: false });

/** Reads the member back for a payload (the loader may hold the member from before the change). */
async function memberPayload(ctx: Context, memberId: string) {
  memberById(ctx).clear(memberId);
  return { member: await memberById(ctx).load(memberId) };
}

type DayLike = Omit<Staff.StaffDay, "date">;
const dayFields = async (ctx: Context, d: DayLike) => {
  const c = await currency(ctx);
  return {
    newMembers: d.added,
    touches: d.touches,
    ownedMemberOrders: d.ownedOrders,
    ownedMemberRevenue: money(d.ownedRevenueMinor - d.ownedRefundedMinor, c),
    attributedOrders: d.attributedOrders,
    attributedRevenue: money(d.attributedRevenueMinor - d.attributedRefundedMinor, c),
  };
};

/** One read of a staff member's tickets per results object, however many ticket fields ask. */
const ticketReads = new WeakMap<object, Promise<Service.ServiceValues>>();
function ticketValues(ctx: Context, r: Staff.StaffResults): Promise<Service.ServiceValues> {
  let read = ticketReads.get(r);
  if (!read) ticketReads.set(r, (read = Service.getAssigneeServiceValues(ctx.tenantId, r.staff.staffId, { from: r.from, to: r.to })));
  return read;
}
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export const staffResolvers: Resolvers = {
  Query: {
    staff: (_: unknown, { id }: { id: string }, ctx: Context) => staffById(ctx).load(id),
    staffMembers: async (_: unknown, a: { filter?: Staff.StaffFilter | null } & PageArgs, ctx: Context) => {
      const page = await Staff.listStaff(ctx.tenantId, a.filter ?? {}, a);
      for (const s of page.items) staffById(ctx).prime(s.staffId, s);
      return toConnection(page);
    },
    staffSettings: (_: unknown, __: unknown, ctx: Context) => Staff.getStaffSettings(ctx.tenantId),
  },
  Mutation: {
    createStaff: async (_: unknown, { input }: { input: Staff.CreateStaffInput & { id?: string | null } }, ctx: Context) => ({
      staff: await Staff.createStaff(ctx.tenantId, { ...input, staffId: input.id }),
    }),
    updateStaff: async (_: unknown, { input }: { input: Staff.UpdateStaffInput & { id: string } }, ctx: Context) => {
      const { id, ...fields } = input;
      return { staff: await Staff.updateStaff(ctx.tenantId, id, fields) };
    },
    assignMemberOwner: async (_: unknown, { input }: { input: Staff.AssignInput & { reason?: string | null } }, ctx: Context) => {
      await Staff.assignMemberOwner(ctx.tenantId, { ...input, reason: (input.reason ?? undefined) as Staff.AssignInput["reason"] }, by(ctx));
      return memberPayload(ctx, input.memberId);
    },
    unassignMemberOwner: async (_: unknown, { input }: { input: { memberId: string; note?: string | null } }, ctx: Context) => {
      await Staff.unassignMemberOwner(ctx.tenantId, input, by(ctx));
      return memberPayload(ctx, input.memberId);
    },
    reassignStaffMembers: async (_: unknown, { input }: { input: Staff.ReassignInput }, ctx: Context) => ({
      reassignment: await Staff.reassignStaffMembers(ctx.tenantId, input, by(ctx)),
    }),
    resumeStaffReassignment: async (_: unknown, { input }: { input: { fromStaffId: string; reassignmentId: string } }, ctx: Context) => ({
      reassignment: await Staff.moveReassignment(ctx.tenantId, input.fromStaffId, input.reassignmentId),
    }),
    recordStaffTouch: async (_: unknown, { input }: { input: Omit<Staff.StaffTouchInput, "touchId"> & { id?: string | null } }, ctx: Context) => {
      const bound = boundStaffId(ctx.principal);
      if (bound !== undefined && input.staffId !== bound) throw new ForbiddenError("A staff-bound token records only its own staff member's touches");
      const { id, ...rest } = input;
      return Staff.recordStaffTouch(ctx.tenantId, { ...rest, touchId: id }, by(ctx));
    },
    updateStaffSettings: async (_: unknown, { input }: { input: { attributionWindowDays?: number | null } }, ctx: Context) => ({
      settings: await Staff.updateStaffSettings(ctx.tenantId, input),
    }),
  },
  Viewer: {
    staffId: (p: Principal) => (p.kind === "USER" ? p.staffId ?? null : null),
  },
  Staff: {
    id: (s: S) => s.staffId,
    store: (s: S, _: unknown, ctx: Context) => (s.storeId ? storeById(ctx).load(s.storeId) : null),
    membersOwned: async (s: S, _: unknown, ctx: Context) => (await Staff.effectiveCounts(ctx.tenantId, s)).ownedCount,
    members: async (s: S, a: PageArgs, ctx: Context) => {
      const bound = boundStaffId(ctx.principal);
      if (bound !== undefined && bound !== s.staffId) return empty();
      const page = await Staff.listOwnedMemberIds(ctx.tenantId, s, a);
      const members = await memberById(ctx).loadMany(page.items.map((o) => o.memberId));
      return toConnection({ ...page, items: members.map((m) => (m instanceof Error ? null : m)) }, (m) => m!);
    },
    touches: async (s: S, a: PageArgs, ctx: Context) => toConnection(await Staff.listStaffTouches(ctx.tenantId, s.staffId, a)),
    activeReassignment: (s: S, _: unknown, ctx: Context) =>
      s.reassignment ? Staff.findReassignment(ctx.tenantId, s.staffId, s.reassignment.reassignmentId) : null,
    reassignments: async (s: S, a: PageArgs, ctx: Context) => toConnection(await Staff.listReassignments(ctx.tenantId, s.staffId, a)),
    results: (s: S, a: { from: unknown; to: unknown }, ctx: Context) => Staff.staffResults(ctx.tenantId, s.staffId, { from: day(a.from), to: day(a.to) }),
  },
  StaffResults: {
    membersOwned: (r: Staff.StaffResults) => r.membersOwned,
    newMembers: (r: Staff.StaffResults) => r.totals.added,
    touches: (r: Staff.StaffResults) => r.totals.touches,
    ownedMemberOrders: (r: Staff.StaffResults) => r.totals.ownedOrders,
    ownedMemberRevenue: async (r: Staff.StaffResults, _: unknown, ctx: Context) => money(r.totals.ownedRevenueMinor - r.totals.ownedRefundedMinor, await currency(ctx)),
    attributedOrders: (r: Staff.StaffResults) => r.totals.attributedOrders,
    attributedRevenue: async (r: Staff.StaffResults, _: unknown, ctx: Context) =>
      money(r.totals.attributedRevenueMinor - r.totals.attributedRefundedMinor, await currency(ctx)),
    // The staff member's service tickets opened in the period (the assignee lists of core/src/service).
    ticketsHandled: async (r: Staff.StaffResults, _: unknown, ctx: Context) => (await ticketValues(ctx, r)).tickets,
    medianFirstResponseSeconds: async (r: Staff.StaffResults, _: unknown, ctx: Context) => seconds((await ticketValues(ctx, r)).firstResponseMedianMs),
    p90FirstResponseSeconds: async (r: Staff.StaffResults, _: unknown, ctx: Context) => seconds((await ticketValues(ctx, r)).firstResponseP90Ms),
    days: (r: Staff.StaffResults, _: unknown, ctx: Context) => Promise.all(r.days.map(async (d) => ({ date: d.date, ...(await dayFields(ctx, d)) }))),
  },
  Reassignment: {
    id: (r: Staff.Reassignment) => r.reassignmentId,
    from: (r: Staff.Reassignment, _: unknown, ctx: Context) => staffOf(ctx, r.fromStaffId),
    to: async (r: Staff.Reassignment, _: unknown, ctx: Context) => (await staffById(ctx).loadMany(r.targets.map((t) => t.staffId))).filter((s) => s && !(s instanceof Error)),
  },
  OwnershipChange: {
    id: (c: Staff.OwnershipChange) => c.changeId,
    from: (c: Staff.OwnershipChange, _: unknown, ctx: Context) => staffOf(ctx, c.fromStaffId),
    to: (c: Staff.OwnershipChange, _: unknown, ctx: Context) => staffOf(ctx, c.toStaffId),
  },
  StaffTouch: {
    id: (t: Staff.StaffTouch) => t.touchId,
    member: (t: Staff.StaffTouch, _: unknown, ctx: Context) => memberById(ctx).load(t.memberId),
    staff: (t: Staff.StaffTouch, _: unknown, ctx: Context) => staffOf(ctx, t.staffId),
  },
  Member: {
    owner: async (m: Member, _: unknown, ctx: Context) => staffOf(ctx, await ownerOf(ctx, m.memberId)),
    ownershipHistory: async (m: Member, a: PageArgs, ctx: Context) => {
      await assertMemberVisible(ctx, m.memberId);
      return toConnection(await Staff.listOwnershipHistory(ctx.tenantId, m.memberId, a));
    },
  },
  Order: {
    ownerStaff: (o: Order, _: unknown, ctx: Context) => staffOf(ctx, o.ownerStaffId),
    attributedStaff: (o: Order, _: unknown, ctx: Context) => staffOf(ctx, o.staffId),
  },
};

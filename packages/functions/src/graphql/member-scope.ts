import DataLoader from "dataloader";
import { defaultFieldResolver, getNamedType, isNonNullType, type GraphQLField, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import * as Member from "@growth/core/member";
import { NotFoundError, normalisePhone } from "@growth/core/shared";
import * as Staff from "@growth/core/staff";
import type { Principal } from "./auth.js";
import { defineLoader, type Context } from "./context.js";
import { toConnection, type PageArgs } from "./resolvers/connection.js";
import { memberById } from "./resolvers/member.js";
import { wrapResolvers } from "./wrap-resolvers.js";

/**
 * THE member scope of a staff-bound token: the one place that decides which members a caller
 * may see and change.
 *
 * An OPERATOR token carrying a `staffId` claim sees only the members that staff member owns
 * (reassignments in progress applied: `Staff.effectiveOwnerId`). Every other member behaves as
 * if it did not exist: lookups answer null, lists leave it out, writes and reads naming it are
 * NOT_FOUND with the same message an unknown id gets. ADMIN, ANALYST and unbound OPERATOR
 * tokens are not scoped. `applyMemberScope` wraps the schema once (server.ts), so no resolver
 * has to remember it:
 * - every nullable field of type `Member` (root lookups, `Member.referrer`, `Order.member`, …)
 *   answers null for a member out of scope;
 * - every `MemberConnection` field drops the edges of members out of scope;
 * - `Query.members` lists the staff member's own members (the ownership list, no scan), the
 *   filter applied to each page;
 * - every root field naming a member in its arguments (`memberId`, `input.memberId`,
 *   `input.referrerId`, `input.survivorId`, `input.duplicateId`, `updateMember`'s `input.id`,
 *   `bindMemberCard`'s phone when it belongs to a member) is refused with NOT_FOUND first;
 * - a member a bound operator creates (`createMember`, `bindMemberCard`) is assigned to its
 *   staff member (reason ADDED), so it stays visible to its creator.
 */

/** The staff member a principal is bound to, when that limits it (OPERATOR only). */
export function boundStaffId(principal: Principal | undefined): string | undefined {
  return principal?.kind === "USER" && principal.role === "OPERATOR" ? principal.staffId : undefined;
}

export const staffById = defineLoader("staff.byId", (tenantId) =>
  new DataLoader<string, Staff.Staff | null>(async (ids) => (await Staff.getStaffMany(tenantId, ids)).map((s) => s ?? null), { maxBatchSize: 100 }),
);

export const ownershipOf = defineLoader("staff.ownershipOf", (tenantId) =>
  new DataLoader<string, Staff.Ownership | null>(async (ids) => (await Staff.getOwnerships(tenantId, ids)).map((o) => o ?? null), { maxBatchSize: 100 }),
);

/** The member's owner in effect (reassignments in progress applied), batched per request. */
export async function ownerOf(ctx: Context, memberId: string): Promise<string | undefined> {
  const o = await ownershipOf(ctx).load(memberId);
  if (!o) return undefined;
  return Staff.effectiveOwnerId(o, (await staffById(ctx).load(o.staffId)) ?? undefined);
}

/** Whether the caller may see the member. */
export async function memberVisible(ctx: Context, memberId: string): Promise<boolean> {
  const staffId = boundStaffId(ctx.principal);
  return staffId === undefined || (await ownerOf(ctx, memberId)) === staffId;
}

/** NOT_FOUND, worded as for an unknown id, unless the caller may see the member. */
export async function assertMemberVisible(ctx: Context, memberId: string): Promise<void> {
  if (!(await memberVisible(ctx, memberId))) throw new NotFoundError("Member", memberId);
}

type Args = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Member ids a root field's arguments name. */
function namedMembers(field: string, args: Args): string[] {
  const input = (args.input ?? {}) as Args;
  const ids = [args.memberId, input.memberId, input.referrerId, input.survivorId, input.duplicateId, field === "Mutation.updateMember" ? input.id : undefined];
  return ids.map(str).filter((x): x is string => x !== undefined);
}

const memberIdOf = (value: unknown): string | undefined => (value && typeof value === "object" ? str((value as { memberId?: unknown }).memberId) : undefined);

type Edge = { node: unknown };

/** The bound operator's `members`: its staff member's ownership list, the filter applied per page. */
async function scopedMembers(ctx: Context, staffId: string, args: { filter?: Member.MemberFilter | null } & PageArgs) {
  const staff = await staffById(ctx).load(staffId);
  if (!staff) return toConnection({ items: [], cursors: [], endCursor: null, hasNextPage: false });
  const page = await Staff.listOwnedMemberIds(ctx.tenantId, staff, args);
  const members = await memberById(ctx).loadMany(page.items.map((o) => o.memberId));
  const f = args.filter ?? {};
  const keep: boolean[] = [];
  for (const m of members) {
    const member = m instanceof Error ? null : m;
    let ok = member !== null && member.status === "ACTIVE";
    if (ok && f.tier) ok = member!.tier === f.tier;
    if (ok && f.tag) ok = member!.tags.includes(f.tag);
    if (ok && f.joinedFrom) ok = member!.joinedAt >= new Date(f.joinedFrom).toISOString();
    if (ok && f.joinedTo) ok = member!.joinedAt < new Date(f.joinedTo).toISOString();
    if (ok && f.channel) ok = (await Member.listIdentities(ctx.tenantId, member!.memberId)).some((i) => i.channel === f.channel);
    keep.push(ok);
  }
  return toConnection({
    items: members.filter((_, i) => keep[i]),
    cursors: page.cursors.filter((_, i) => keep[i]),
    endCursor: page.endCursor,
    hasNextPage: page.hasNextPage,
  });
}

/** The scoped resolver of a field, or undefined where the scope has nothing to check. */
function wrap(config: GraphQLField<unknown, Context>, fieldName: string, typeName: string): GraphQLFieldResolver<unknown, Context> | undefined {
  const resolve = config.resolve ?? defaultFieldResolver;
  const field = `${typeName}.${fieldName}`;
  const named = getNamedType(config.type).name;
  const root = typeName === "Query" || typeName === "Mutation";
  const nullableMember = named === "Member" && !isNonNullType(config.type);
  const memberList = named === "MemberConnection";
  if (!root && !nullableMember && !memberList) return undefined;
  // Unbound principals (every token but a staff-bound operator's) go straight through, with no
  // promise added: this wraps every Member field of every response.
  const scoped = async (source: unknown, args: Args, ctx: Context, info: GraphQLResolveInfo, staffId: string) => {
    if (field === "Query.members") return scopedMembers(ctx, staffId, args);
    if (root) {
      for (const id of namedMembers(field, args)) await assertMemberVisible(ctx, id);
      if (field === "Mutation.bindMemberCard") {
        const phone = str(((args.input ?? {}) as Args).phone);
        const existing = phone ? await Member.memberIdByKey(ctx.tenantId, "PHONE", normalisePhone(phone)) : undefined;
        if (existing) await assertMemberVisible(ctx, existing);
      }
    }
    const result = await resolve(source, args, ctx, info);
    if (field === "Mutation.createMember" || field === "Mutation.bindMemberCard") {
      const created = memberIdOf((result as { member?: unknown } | null)?.member);
      if (created && !(await Staff.findOwnership(ctx.tenantId, created, true))) {
        await Staff.assignMemberOwner(ctx.tenantId, { memberId: created, staffId, reason: "ADDED" }, { actor: ctx.principal.principalId });
        ownershipOf(ctx).clear(created);
      }
    }
    if (nullableMember) {
      const id = memberIdOf(result);
      return id && !(await memberVisible(ctx, id)) ? null : result;
    }
    if (memberList && result && typeof result === "object" && Array.isArray((result as { edges?: unknown }).edges)) {
      const edges = (result as { edges: Edge[] }).edges;
      const visible = await Promise.all(edges.map((e) => { const id = memberIdOf(e.node); return id ? memberVisible(ctx, id) : true; }));
      return { ...(result as object), edges: edges.filter((_, i) => visible[i]) };
    }
    return result;
  };
  return (source, args: Args, ctx, info) => {
    const staffId = boundStaffId(ctx?.principal);
    return staffId === undefined ? resolve(source, args, ctx, info) : scoped(source, args, ctx, info, staffId);
  };
}

/** Wraps the schema with the member scope (apply inside `applyPermissions`, so authorisation comes first). */
export function applyMemberScope(schema: GraphQLSchema): GraphQLSchema {
  return wrapResolvers<Context>(schema, "objects", wrap);
}

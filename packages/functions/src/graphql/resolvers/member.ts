import DataLoader from "dataloader";
import * as Member from "@growth/core/member";
import { listMemberEvents } from "@growth/core/event";
import { listMemberOrders } from "@growth/core/order";
import { listLedger } from "@growth/core/points";
import type { GraphQLResolveInfo } from "graphql";
import { maskEmail, maskPhone, normalisePhone } from "@growth/core/shared";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { ADMIN_ONLY, canSeePersonalData, definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { money } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { selectedArgs } from "./lookahead.js";

type M = Member.Member;

definePermissions({
  "Query.member": { roles: READ, doc: "Read a member by id (personal data masked for analysts)." },
  "Query.memberByIdentity": { roles: READ, doc: "Resolve a channel identity to its member." },
  "Query.memberByPhone": { roles: READ, doc: "Find a member by phone." },
  "Query.memberByCustomerNo": { roles: READ, doc: "Find a member by the brand's customer number." },
  "Query.members": { roles: READ, doc: "List members by tier, tag, channel or join time." },
  "Mutation.createMember": { roles: OPERATE, doc: "Create a member." },
  "Mutation.updateMember": { roles: OPERATE, doc: "Change a member's profile." },
  "Mutation.linkMemberIdentity": { roles: OPERATE, doc: "Link a channel identity to a member." },
  "Mutation.unlinkMemberIdentity": { roles: OPERATE, doc: "Unlink a channel identity." },
  "Mutation.bindMemberCard": { roles: OPERATE, doc: "Bind an offline member card by phone (store counter)." },
  "Mutation.changeMemberTags": { roles: OPERATE, doc: "Add and remove tags." },
  "Mutation.setMemberTier": { roles: OPERATE, doc: "Set a member's tier by hand." },
  "Mutation.setMemberConsent": { roles: OPERATE, doc: "Record a consent grant or withdrawal." },
  "Mutation.setMemberReferrer": { roles: OPERATE, doc: "Record who referred a member." },
  "Mutation.mergeMembers": { roles: ADMIN_ONLY, doc: "Merge a duplicate member into a survivor." },
  "Mutation.eraseMember": { roles: ADMIN_ONLY, doc: "Erase a member's personal data (PIPL/GDPR request)." },
});

/** Members by id, one BatchGetItem per request tick; null for unknown ids. */
export const memberById = defineLoader("member.byId", (tenantId) =>
  new DataLoader<string, M | null>(async (ids) => (await Member.getMembers(tenantId, ids)).map((m) => m ?? null), { maxBatchSize: 100 }),
);

export const pageKey = (memberId: string, a: PageArgs) => `${memberId}\u0000${a.first ?? ""}\u0000${a.after ?? ""}`;
const fromPageKey = (key: string): [string, PageArgs] => {
  const [memberId, first, after] = key.split("\u0000") as [string, string, string];
  return [memberId, { first: first === "" ? undefined : Number(first), after: after || undefined }];
};

/** A member's order pages for the request, by (member, first, after): one Query each, shared by a prefetch and the field. */
export const memberOrdersPage = defineLoader("member.ordersPage", (tenantId) =>
  new DataLoader<string, Awaited<ReturnType<typeof listMemberOrders>>>((list) => Promise.all(list.map((k) => listMemberOrders(tenantId, ...fromPageKey(k)))), { batch: false }),
);

/** A member's ledger pages for the request, by (member, first, after), like `memberOrdersPage`. */
export const memberLedgerPage = defineLoader("member.ledgerPage", (tenantId) =>
  new DataLoader<string, Awaited<ReturnType<typeof listLedger>>>((list) => Promise.all(list.map((k) => listLedger(tenantId, ...fromPageKey(k)))), { batch: false }),
);

/**
 * What a member query asks for below the member that needs only the member id (its orders, its
 * ledger): started now, beside the member's own read, instead of after it (one round trip less).
 * Errors surface where the field resolves (the loader keeps the promise); a merged id's
 * prefetch is wasted (the survivor's page is read by its id).
 */
function prefetchMemberChildren(ctx: Context, id: string, info: GraphQLResolveInfo): void {
  const orders = selectedArgs(info, ["orders"]);
  if (orders) memberOrdersPage(ctx).load(pageKey(id, orders as PageArgs)).catch(() => {});
  const ledger = selectedArgs(info, ["points", "ledger"]);
  if (ledger) memberLedgerPage(ctx).load(pageKey(id, ledger as PageArgs)).catch(() => {});
}

/** Follows a merged duplicate to its survivor (the loader keeps it to one batch per hop). */
async function resolved(ctx: Context, id: string): Promise<M | null> {
  let m = await memberById(ctx).load(id);
  for (let hop = 0; m?.status === "MERGED" && m.mergedInto && hop < 5; hop++) m = await memberById(ctx).load(m.mergedInto);
  return m;
}

const by = (ctx: Context) => ({ actor: ctx.principal.principalId });
const payload = (member: M) => ({ member });
const pii = (ctx: Context) => canSeePersonalData(ctx.principal);

export const memberResolvers: Resolvers = {
  Query: {
    member: (_: unknown, { id }: { id: string }, ctx: Context, info: GraphQLResolveInfo) => {
      prefetchMemberChildren(ctx, id, info);
      return resolved(ctx, id);
    },
    memberByIdentity: async (_: unknown, a: { channel: Member.Channel; externalId: string }, ctx: Context) => {
      const id = await Member.memberIdByIdentity(ctx.tenantId, a.channel, a.externalId);
      return id ? resolved(ctx, id) : null;
    },
    memberByPhone: async (_: unknown, { phone }: { phone: string }, ctx: Context) => {
      const id = await Member.memberIdByKey(ctx.tenantId, "PHONE", normalisePhone(phone));
      return id ? resolved(ctx, id) : null;
    },
    memberByCustomerNo: async (_: unknown, { customerNo }: { customerNo: string }, ctx: Context) => {
      const id = await Member.memberIdByKey(ctx.tenantId, "CUSTOMER_NO", customerNo.trim());
      return id ? resolved(ctx, id) : null;
    },
    members: async (_: unknown, a: { filter?: Member.MemberFilter | null } & PageArgs, ctx: Context) => {
      const page = await Member.listMembers(ctx.tenantId, a.filter ?? {}, a);
      for (const m of page.items) memberById(ctx).prime(m.memberId, m);
      return toConnection(page);
    },
  },
  Mutation: {
    createMember: async (_: unknown, { input }: { input: Member.CreateMemberInput & { id?: string | null } }, ctx: Context) =>
      payload(await Member.createMember(ctx.tenantId, { ...input, memberId: input.id }, { ...by(ctx), source: "CONSOLE" })),
    updateMember: async (_: unknown, { input }: { input: Member.UpdateMemberInput & { id: string } }, ctx: Context) => {
      const { id, ...fields } = input;
      return payload(await Member.updateMember(ctx.tenantId, id, fields));
    },
    linkMemberIdentity: async (_: unknown, { input }: { input: { memberId: string; identity: Member.IdentityRef } }, ctx: Context) =>
      payload(await Member.linkIdentity(ctx.tenantId, input.memberId, input.identity)),
    unlinkMemberIdentity: async (_: unknown, { input }: { input: { memberId: string; identity: Member.IdentityRef } }, ctx: Context) =>
      payload(await Member.unlinkIdentity(ctx.tenantId, input.memberId, input.identity)),
    bindMemberCard: (_: unknown, { input }: { input: Member.BindCardInput }, ctx: Context) => Member.bindMemberCard(ctx.tenantId, input, by(ctx)),
    changeMemberTags: async (_: unknown, { input }: { input: { memberId: string; add?: string[]; remove?: string[] } }, ctx: Context) =>
      payload(await Member.changeTags(ctx.tenantId, input.memberId, { add: input.add, remove: input.remove, source: "MANUAL" })),
    setMemberTier: async (_: unknown, { input }: { input: { memberId: string; tier: string; reason?: string | null } }, ctx: Context) =>
      payload(await Member.setTier(ctx.tenantId, input.memberId, input.tier, { ...by(ctx), reason: input.reason ?? undefined })),
    setMemberConsent: async (_: unknown, { input }: { input: { memberId: string; kind: string; granted: boolean; source: string } }, ctx: Context) =>
      payload(await Member.setConsent(ctx.tenantId, input.memberId, input, by(ctx))),
    setMemberReferrer: async (_: unknown, { input }: { input: { memberId: string; referrerId: string } }, ctx: Context) =>
      payload(await Member.setReferrer(ctx.tenantId, input.memberId, input.referrerId)),
    mergeMembers: async (_: unknown, { input }: { input: { survivorId: string; duplicateId: string } }, ctx: Context) =>
      payload(await Member.mergeMembers(ctx.tenantId, input.survivorId, input.duplicateId, by(ctx))),
    eraseMember: async (_: unknown, { input }: { input: { memberId: string; reason?: string | null } }, ctx: Context) =>
      payload(await Member.eraseMember(ctx.tenantId, input.memberId, { ...by(ctx), reason: input.reason ?? undefined })),
  },
  Member: {
    id: (m: M) => m.memberId,
    name: (m: M, _: unknown, ctx: Context) => (m.name && !pii(ctx) ? `${m.name.slice(0, 1)}**` : m.name ?? null),
    phone: (m: M, _: unknown, ctx: Context) => (m.phone && !pii(ctx) ? maskPhone(m.phone) : m.phone ?? null),
    email: (m: M, _: unknown, ctx: Context) => (m.email && !pii(ctx) ? maskEmail(m.email) : m.email ?? null),
    birthday: (m: M, _: unknown, ctx: Context) => (pii(ctx) ? m.birthday ?? null : null),
    consent: (m: M) => ({ marketing: m.marketingConsent, partnerSharing: m.partnerSharingConsent }),
    consentHistory: async (m: M, a: PageArgs, ctx: Context) =>
      toConnection(await Member.listConsentHistory(ctx.tenantId, m.memberId, a), (c) => ({ ...c, id: c.changeId })),
    tierHistory: async (m: M, a: PageArgs, ctx: Context) =>
      toConnection(await Member.listTierHistory(ctx.tenantId, m.memberId, a), (c) => ({ ...c, id: c.changeId })),
    identities: async (m: M, _: unknown, ctx: Context) => {
      const list = await Member.listIdentities(ctx.tenantId, m.memberId);
      return pii(ctx) ? list : list.map((i) => ({ ...i, externalId: `${i.externalId.slice(0, 2)}****` }));
    },
    referrer: (m: M, _: unknown, ctx: Context) => (m.referrerId ? memberById(ctx).load(m.referrerId) : null),
    referrals: async (m: M, a: PageArgs, ctx: Context) => toConnection(await Member.listReferrals(ctx.tenantId, m.memberId, a)),
    stats: (m: M) => m,
    points: (m: M) => m,
    orders: async (m: M, a: PageArgs, ctx: Context) => toConnection(await memberOrdersPage(ctx).load(pageKey(m.memberId, a))),
    events: async (m: M, a: PageArgs, ctx: Context) =>
      toConnection(await listMemberEvents(ctx.tenantId, m.memberId, a)),
  },
  MemberStats: {
    grossSpend: async (m: M, _: unknown, ctx: Context) => money(m.grossSpendMinor, (await getSettings(ctx.tenantId)).currency),
    refunded: async (m: M, _: unknown, ctx: Context) => money(m.refundedMinor, (await getSettings(ctx.tenantId)).currency),
    netSpend: async (m: M, _: unknown, ctx: Context) => money(Member.netSpendMinor(m), (await getSettings(ctx.tenantId)).currency),
    historicalClv: async (m: M, _: unknown, ctx: Context) => money(Member.netSpendMinor(m), (await getSettings(ctx.tenantId)).currency),
    averageOrderValue: async (m: M, _: unknown, ctx: Context) =>
      m.orderCount > 0 ? money(Math.round(Member.netSpendMinor(m) / m.orderCount), (await getSettings(ctx.tenantId)).currency) : null,
  },
};

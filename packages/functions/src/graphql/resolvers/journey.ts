import DataLoader from "dataloader";
import * as Journeys from "@growth/core/journey";
import type { Campaign } from "@growth/core/campaign";
import type { Member } from "@growth/core/member";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { campaignById } from "./campaign.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";

type T = Journeys.Touch;

definePermissions({
  "Query.outbox": { roles: READ, doc: "List the journeys' outbox (touches), by campaign and status." },
  "Query.touch": { roles: READ, doc: "Read one journey touch." },
  "Mutation.reportTouchSent": { roles: OPERATE, doc: "A channel worker reports a touch sent." },
  "Mutation.reportTouchDelivery": { roles: OPERATE, doc: "A channel reports a touch delivered (records the MESSAGE_DELIVERED event)." },
  "Mutation.reportTouchFailure": { roles: OPERATE, doc: "A channel reports a touch failed." },
});

/** Touches by id for the request (BatchGetItem); unknown ids load null. */
const touchById = defineLoader(
  "touch.byId",
  (tenantId) => new DataLoader<string, T | null>(async (ids) => (await Journeys.getTouches(tenantId, ids)).map((x) => x ?? null), { maxBatchSize: 100 }),
);

const page = (ctx: Context, p: Awaited<ReturnType<typeof Journeys.listOutbox>>) => {
  for (const x of p.items) touchById(ctx).prime(x.touchId, x);
  return toConnection(p);
};

const payload = (ctx: Context, touch: T) => {
  touchById(ctx).clear(touch.touchId).prime(touch.touchId, touch);
  return { touch };
};

export const journeyResolvers: Resolvers = {
  Query: {
    outbox: async (_: unknown, a: PageArgs & Journeys.OutboxFilter, ctx: Context) => page(ctx, await Journeys.listOutbox(ctx.tenantId, a, a)),
    touch: (_: unknown, { id }: { id: string }, ctx: Context) => touchById(ctx).load(id),
  },
  Mutation: {
    reportTouchSent: async (_: unknown, { input }: { input: { touchId: string; sentAt: Date | string } }, ctx: Context) =>
      payload(ctx, await Journeys.reportTouchSent(ctx.tenantId, { touchId: input.touchId, sentAt: instant(input.sentAt) })),
    reportTouchDelivery: async (_: unknown, { input }: { input: { touchId: string; deliveredAt: Date | string } }, ctx: Context) =>
      payload(ctx, await Journeys.reportTouchDelivery(ctx.tenantId, { touchId: input.touchId, deliveredAt: instant(input.deliveredAt) })),
    reportTouchFailure: async (_: unknown, { input }: { input: { touchId: string; failedAt: Date | string; reason: string } }, ctx: Context) =>
      payload(ctx, await Journeys.reportTouchFailure(ctx.tenantId, { touchId: input.touchId, failedAt: instant(input.failedAt), reason: input.reason })),
  },
  Touch: {
    id: (x: T) => x.touchId,
    campaign: (x: T, _: unknown, ctx: Context) => campaignById(ctx).load(x.campaignId),
    member: (x: T, _: unknown, ctx: Context) => memberById(ctx).load(x.memberId),
  },
  TouchContent: {
    id: (c: Journeys.TouchContent) => c.contentId,
  },
  Member: {
    touches: async (m: Member, a: PageArgs, ctx: Context) => page(ctx, await Journeys.listMemberTouches(ctx.tenantId, m.memberId, a)),
  },
  Campaign: {
    touches: async (c: Campaign, a: PageArgs & { status?: string | null }, ctx: Context) =>
      c.type === "JOURNEY" ? page(ctx, await Journeys.listOutbox(ctx.tenantId, { campaignId: c.campaignId, status: a.status }, a)) : { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
  },
};

/** The DateTime scalar may hand over a Date; core takes ISO text. */
const instant = (v: Date | string) => (v instanceof Date ? v.toISOString() : v);

import DataLoader from "dataloader";
import * as Content from "@growth/core/content";
import { getSettings } from "@growth/core/tenant";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";
import { segmentById } from "./segment.js";

type C = Content.ContentItem;
type E = Content.ContentEngagement & { audienceSegmentId?: string };

definePermissions({
  "Query.content": { roles: READ, doc: "Read a content item with its engagement." },
  "Query.contents": { roles: READ, doc: "List content items by status, format, pyramid type, channel, tag and author kind." },
  "Query.contentPyramid": { roles: READ, doc: "Count content items per pyramid level, with UGC." },
  "Mutation.createContent": { roles: OPERATE, doc: "Create a content item (brand or member UGC) as a draft." },
  "Mutation.updateContent": { roles: OPERATE, doc: "Change a content item's fields." },
  "Mutation.changeContentStatus": { roles: OPERATE, doc: "Schedule, publish, archive or restore a content item." },
  "Mutation.publishDueContent": { roles: OPERATE, doc: "Publish scheduled content items whose time has come (what the publisher job does)." },
});

/** Content items by id for the request (BatchGetItem); unknown ids load null. */
export const contentById = defineLoader(
  "content.byId",
  (tenantId) => new DataLoader<string, C | null>(async (ids) => (await Content.getContents(tenantId, ids)).map((c) => c ?? null), { maxBatchSize: 100 }),
);

/** Engagement counters of many items: one BatchGetItem over their counter shards. */
const engagementById = defineLoader(
  "content.engagement",
  (tenantId) => new DataLoader<string, Content.ContentEngagement>((ids) => Content.getEngagements(tenantId, ids), { maxBatchSize: Math.floor(100 / Content.ENGAGEMENT_KEYS_PER_ITEM) }),
);

const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

const payload = (ctx: Context, content: C) => {
  contentById(ctx).clear(content.contentId).prime(content.contentId, content);
  return { content };
};

async function loadStored(ctx: Context, id: string): Promise<C | null> {
  return (await contentById(ctx).load(id)) ?? null;
}

/** The audience count, if it is for the item's current audience segment. */
const audienceOf = (e: E) => (e.audience && e.audience.segmentId === e.audienceSegmentId ? e.audience : undefined);

type UpdateArgs = { input: Content.UpdateContentInput & { id: string } };

export const contentResolvers: Resolvers = {
  Query: {
    content: (_: unknown, { id }: { id: string }, ctx: Context) => loadStored(ctx, id),
    contents: async (_: unknown, args: PageArgs & { filter?: Content.ContentFilter | null }, ctx: Context) => {
      const page = await Content.listContents(ctx.tenantId, args.filter, args);
      for (const c of page.items) contentById(ctx).prime(c.contentId, c);
      return toConnection(page);
    },
    contentPyramid: async (_: unknown, __: unknown, ctx: Context) =>
      (await Content.contentPyramid(ctx.tenantId)).map((l) => ({
        pyramidType: l.pyramidType,
        live: l.live,
        drafts: l.byStatus.DRAFT,
        scheduled: l.byStatus.SCHEDULED,
        published: l.byStatus.PUBLISHED,
        archived: l.byStatus.ARCHIVED,
        ugc: l.ugc,
        ugcPublished: l.ugcPublished,
      })),
  },
  Mutation: {
    createContent: async (_: unknown, { input }: { input: Content.CreateContentInput }, ctx: Context) => payload(ctx, await Content.createContent(ctx.tenantId, input, by(ctx))),
    updateContent: async (_: unknown, { input }: UpdateArgs, ctx: Context) => {
      const { id, ...changes } = input;
      return payload(ctx, await Content.updateContent(ctx.tenantId, id, changes));
    },
    changeContentStatus: async (_: unknown, { input }: { input: Content.StatusChange & { id: string } }, ctx: Context) =>
      payload(ctx, await Content.changeContentStatus(ctx.tenantId, input.id, input)),
    publishDueContent: async (_: unknown, __: unknown, ctx: Context) => {
      const result = await Content.publishDueContent(ctx.tenantId);
      const contents = await Promise.all(result.contentIds.map((id) => contentById(ctx).load(id)));
      return { due: result.due, published: result.published, contents: contents.filter(Boolean) };
    },
  },
  ContentItem: {
    id: (c: C) => c.contentId,
    author: (c: C) => c,
    audienceSegment: (c: C, _: unknown, ctx: Context) => (c.audienceSegmentId ? segmentById(ctx).load(c.audienceSegmentId) : null),
    engagement: async (c: C, _: unknown, ctx: Context): Promise<E> => ({ ...(await engagementById(ctx).load(c.contentId)), audienceSegmentId: c.audienceSegmentId }),
  },
  Member: {
    contents: async (m: { memberId: string }, args: PageArgs & { status?: string | null }, ctx: Context) => {
      const page = await Content.listContents(ctx.tenantId, { authorMemberId: m.memberId, status: args.status }, args);
      for (const c of page.items) contentById(ctx).prime(c.contentId, c);
      return toConnection(page);
    },
  },
  ContentAuthor: {
    kind: (c: C) => c.authorKind,
    name: (c: C) => c.authorName ?? null,
    member: (c: C, _: unknown, ctx: Context) => (c.authorMemberId ? memberById(ctx).load(c.authorMemberId) : null),
  },
  ContentEngagement: {
    interactionRate: (e: E) => (e.reach > 0 ? e.interactions / e.reach : null),
    audienceReach: (e: E) => audienceOf(e)?.reached ?? null,
    audienceSize: (e: E) => audienceOf(e)?.size ?? null,
    penetration: (e: E) => {
      const a = audienceOf(e);
      return a && a.size > 0 ? a.reached / a.size : null;
    },
    audienceComputedAt: (e: E) => audienceOf(e)?.computedAt ?? null,
    attributedRevenue: async (e: E, _: unknown, ctx: Context) => money(e.revenueMinor - e.refundedMinor, (await getSettings(ctx.tenantId)).currency),
  },
};

import DataLoader from "dataloader";
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import type { Member } from "@growth/core/member";
import {
  archiveSegment,
  createSegment,
  describeRule,
  getSegment,
  getSegments,
  isMemberInSegment,
  listMemberSegments,
  listSegmentMembers,
  listSegments,
  listSizeHistory,
  previewSegment,
  refreshSegment,
  updateSegment,
  type RefreshResult,
  type Segment,
  type SegmentPreview,
  type SegmentStatus,
} from "@growth/core/segment";
import type { Page } from "@growth/core/shared";
import { defineLoader, type Context } from "../context.js";
import { definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";

definePermissions({
  "Query.previewSegment": { roles: READ, doc: "Count and sample the members a rule matches, unsaved (brands up to 20,000 members)." },
  "Query.segment": { roles: READ, doc: "Read a saved segment with its size, history and members." },
  "Query.segments": { roles: READ, doc: "List saved segments." },
  "Query.isMemberInSegment": { roles: READ, doc: "Check whether a member is in a segment's current membership." },
  "Mutation.createSegment": { roles: OPERATE, doc: "Save a rule-based segment." },
  "Mutation.updateSegment": { roles: OPERATE, doc: "Change a segment's name, rule or applied tag." },
  "Mutation.archiveSegment": { roles: OPERATE, doc: "Archive a segment." },
  "Mutation.refreshSegment": { roles: OPERATE, doc: "Recompute a segment's membership now, in-process (brands up to 20,000 members)." },
});

/** Segments by id for the request (BatchGetItem); unknown ids load null. */
export const segmentById = defineLoader(
  "segment.byId",
  (tenantId) => new DataLoader<string, Segment | null>(async (ids) => (await getSegments(tenantId, ids)).map((s) => s ?? null), { maxBatchSize: 100 }),
);

/** `SegmentValue`: text, a number or a boolean, from literals and variables alike. */
function segmentValue(value: unknown): string | number | boolean {
  if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return value;
  throw new GraphQLError("SegmentValue must be text, a number or true/false");
}

const SegmentValue = new GraphQLScalarType({
  name: "SegmentValue",
  serialize: segmentValue,
  parseValue: segmentValue,
  parseLiteral(ast: ValueNode) {
    switch (ast.kind) {
      case Kind.STRING:
        return ast.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(ast.value);
      case Kind.BOOLEAN:
        return ast.value;
      default:
        throw new GraphQLError("SegmentValue must be text, a number or true/false");
    }
  },
});

/** A scalar without name/description, so the SDL's description stays (as base.ts does). */
const scalar = (type: GraphQLScalarType) => ({ serialize: type.serialize, parseValue: type.parseValue, parseLiteral: type.parseLiteral });

/** A page of member ids as a MemberConnection, members loaded in one batch. */
async function memberConnection(ctx: Context, page: Page<{ memberId: string }>) {
  const members = await Promise.all(page.items.map((i) => memberById(ctx).load(i.memberId)));
  const items: Member[] = [];
  const cursors: string[] = [];
  members.forEach((m, i) => {
    if (m) {
      items.push(m);
      cursors.push(page.cursors[i]!);
    }
  });
  return toConnection({ ...page, items, cursors });
}

async function loadSegment(ctx: Context, id: string): Promise<Segment> {
  const segment = await segmentById(ctx).load(id);
  return segment ?? getSegment(ctx.tenantId, id); // getSegment raises NOT_FOUND (or BAD_USER_INPUT for a malformed id)
}

const payload = (ctx: Context, segment: Segment) => {
  segmentById(ctx).clear(segment.segmentId).prime(segment.segmentId, segment);
  return { segment };
};

export const segmentResolvers: Resolvers = {
  SegmentValue: scalar(SegmentValue),
  Query: {
    previewSegment: (_: unknown, a: { rule: unknown; sampleSize?: number | null }, ctx: Context) =>
      previewSegment(ctx.tenantId, a.rule, { sampleSize: a.sampleSize }),
    segment: (_: unknown, { id }: { id: string }, ctx: Context) => segmentById(ctx).load(id),
    segments: async (_: unknown, a: { status?: SegmentStatus | null } & PageArgs, ctx: Context) => {
      const page = await listSegments(ctx.tenantId, a.status ?? "ACTIVE", a);
      for (const s of page.items) segmentById(ctx).prime(s.segmentId, s);
      return toConnection(page);
    },
    isMemberInSegment: async (_: unknown, a: { segmentId: string; memberId: string }, ctx: Context) =>
      isMemberInSegment(ctx.tenantId, await loadSegment(ctx, a.segmentId), a.memberId),
  },
  Mutation: {
    createSegment: async (_: unknown, { input }: { input: { name: string; description?: string | null; rule: unknown; applyTag?: string | null } }, ctx: Context) =>
      payload(ctx, await createSegment(ctx.tenantId, input, { actor: ctx.principal.principalId })),
    updateSegment: async (_: unknown, { input }: { input: { id: string; name?: string | null; description?: string | null; rule?: unknown; applyTag?: string | null } }, ctx: Context) => {
      const { id, ...changes } = input;
      return payload(ctx, await updateSegment(ctx.tenantId, id, changes));
    },
    archiveSegment: async (_: unknown, { input }: { input: { id: string } }, ctx: Context) => payload(ctx, await archiveSegment(ctx.tenantId, input.id)),
    refreshSegment: async (_: unknown, { input }: { input: { id: string } }, ctx: Context) => {
      const result: RefreshResult = await refreshSegment(ctx.tenantId, input.id);
      return { ...result, ...payload(ctx, result.segment) };
    },
  },
  Segment: {
    id: (s: Segment) => s.segmentId,
    description: (s: Segment) => s.description ?? null,
    ruleText: (s: Segment) => describeRule(s.rule),
    applyTag: (s: Segment) => s.applyTag ?? null,
    size: (s: Segment) => (s.currentVersion ? s.size ?? 0 : null),
    computedAt: (s: Segment) => (s.currentVersion ? s.computedAt ?? null : null),
    durationMs: (s: Segment) => (s.currentVersion ? s.durationMs ?? null : null),
    entered: (s: Segment) => (s.currentVersion ? s.entered ?? null : null),
    left: (s: Segment) => (s.currentVersion ? s.left ?? null : null),
    stale: (s: Segment) => !s.currentVersion || s.computedRevision !== s.revision,
    version: (s: Segment) => s.currentVersion ?? 0,
    members: async (s: Segment, a: PageArgs, ctx: Context) => memberConnection(ctx, await listSegmentMembers(ctx.tenantId, s, a)),
    sizeHistory: async (s: Segment, a: PageArgs, ctx: Context) => toConnection(await listSizeHistory(ctx.tenantId, s.segmentId, a)),
    archivedAt: (s: Segment) => s.archivedAt ?? null,
  },
  SegmentPreview: {
    sample: async (p: SegmentPreview, _: unknown, ctx: Context) => (await Promise.all(p.sampleIds.map((id) => memberById(ctx).load(id)))).filter((m): m is Member => m !== null),
    ruleText: (p: SegmentPreview) => describeRule(p.rule),
  },
  Member: {
    segments: async (m: Member, _: unknown, ctx: Context) => {
      const list = await listMemberSegments(ctx.tenantId, m.memberId);
      for (const s of list) segmentById(ctx).prime(s.segmentId, s);
      return list;
    },
  },
};

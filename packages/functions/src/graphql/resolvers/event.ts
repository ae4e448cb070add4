import { recordEvent, type EngagementEvent, type EventInput } from "@growth/core/event";
import type { Context } from "../context.js";
import { definePermissions, OPERATE } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { memberById } from "./member.js";

definePermissions({
  "Mutation.recordEvent": { roles: OPERATE, doc: "Record an engagement event (idempotent by id)." },
});

export const eventResolvers: Resolvers = {
  Mutation: {
    recordEvent: (_: unknown, { input }: { input: Omit<EventInput, "eventId"> & { id: string } }, ctx: Context) => {
      const { id, ...rest } = input;
      return recordEvent(ctx.tenantId, { ...rest, eventId: id });
    },
  },
  EngagementEvent: {
    id: (e: EngagementEvent) => e.eventId,
    member: (e: EngagementEvent, _: unknown, ctx: Context) => memberById(ctx).load(e.memberId),
  },
};

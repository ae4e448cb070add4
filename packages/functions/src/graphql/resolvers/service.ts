import DataLoader from "dataloader";
import * as Service from "@growth/core/service";
import type { Context } from "../context.js";
import { defineLoader } from "../context.js";
import { ForbiddenError } from "@growth/core/shared";
import { canSeePersonalData, definePermissions, OPERATE, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";
import { toConnection, type PageArgs } from "./connection.js";
import { memberById } from "./member.js";
import { dateText } from "./metrics.js";

type T = Service.TicketView;
type Values = Service.ServiceValues;

definePermissions({
  "Query.ticket": { roles: OPERATE, doc: "Read a service ticket with its timeline (members' own words: no ANALYST)." },
  "Query.tickets": { roles: OPERATE, doc: "List service tickets by status, assignee or member." },
  "Query.ticketsAwaitingResponse": { roles: OPERATE, doc: "List open tickets awaiting their first response: breached, at risk or all." },
  "Query.serviceMetrics": { roles: READ, doc: "Read service metrics of a period: resolution rate, response times, SLA breaches, NPS, CSAT (aggregates only)." },
  "Mutation.openTicket": { roles: OPERATE, doc: "Open a service ticket for a member." },
  "Mutation.changeTicketStatus": { roles: OPERATE, doc: "Move a service ticket along its workflow (resolve, close, reopen)." },
  "Mutation.respondToTicket": { roles: OPERATE, doc: "Reply to a service ticket or add an internal note." },
  "Mutation.assignTicket": { roles: OPERATE, doc: "Assign a service ticket to a staff member." },
  "Mutation.submitTicketSurvey": { roles: OPERATE, doc: "Record a member's satisfaction score for a resolved ticket (once per resolution)." },
});

/** Tickets by id for the request (BatchGetItem); unknown ids load null. */
export const ticketById = defineLoader(
  "ticket.byId",
  (tenantId) => new DataLoader<string, T | null>(async (ids) => (await Service.getTickets(tenantId, ids)).map((t) => t ?? null), { maxBatchSize: 100 }),
);

const by = (ctx: Context) => ({ actor: ctx.principal.principalId });

const payload = (ctx: Context, ticket: T) => {
  ticketById(ctx).clear(ticket.ticketId).prime(ticket.ticketId, ticket);
  return { ticket };
};

const primed = (ctx: Context, page: Awaited<ReturnType<typeof Service.listTickets>>) => {
  for (const t of page.items) ticketById(ctx).prime(t.ticketId, t);
  return toConnection(page);
};

interface DayRangeArg {
  from: Date | string;
  to: Date | string;
}

/** Core metrics in the schema's shape (groups carry their numbers under `metrics`). */
export function serviceMetricsView(m: Service.ServiceMetrics) {
  const strip = <K extends string>(row: Values & Record<K, unknown>, key: K) => {
    const { [key]: name, ...metrics } = row;
    return { [key]: name, metrics: metrics as Values };
  };
  return {
    from: m.from,
    to: m.to,
    at: m.at,
    overall: m.overall,
    byChannel: m.byChannel.map((c) => strip(c, "channel")),
    byAssignee: m.byAssignee.map((a) => strip(a, "assigneeStaffId")),
  };
}

type WithId<I> = Omit<I, "ticketId"> & { id: string };

export const serviceResolvers: Resolvers = {
  Query: {
    ticket: async (_: unknown, { id }: { id: string }, ctx: Context) => ticketById(ctx).load(id),
    tickets: async (_: unknown, args: PageArgs & { filter?: Service.TicketFilter | null }, ctx: Context) => primed(ctx, await Service.listTickets(ctx.tenantId, args.filter, args)),
    ticketsAwaitingResponse: async (_: unknown, args: PageArgs & { filter?: Service.AwaitingFilter | null }, ctx: Context) =>
      primed(ctx, await Service.listTicketsAwaitingResponse(ctx.tenantId, args.filter, args)),
    serviceMetrics: async (_: unknown, { range }: { range: DayRangeArg }, ctx: Context) =>
      serviceMetricsView(await Service.getServiceMetrics(ctx.tenantId, { from: dateText(range.from)!, to: dateText(range.to)! })),
  },
  Mutation: {
    openTicket: async (_: unknown, { input: { id, ...rest } }: { input: Omit<Service.OpenTicketInput, "ticketId"> & { id?: string | null } }, ctx: Context) =>
      payload(ctx, await Service.openTicket(ctx.tenantId, { ...rest, ticketId: id }, by(ctx))),
    changeTicketStatus: async (_: unknown, { input: { id, ...rest } }: { input: WithId<Service.TicketStatusChange> }, ctx: Context) =>
      payload(ctx, await Service.changeTicketStatus(ctx.tenantId, { ...rest, ticketId: id }, by(ctx))),
    respondToTicket: async (_: unknown, { input: { id, ...rest } }: { input: WithId<Service.TicketResponseInput> }, ctx: Context) =>
      payload(ctx, await Service.respondToTicket(ctx.tenantId, { ...rest, ticketId: id }, by(ctx))),
    assignTicket: async (_: unknown, { input: { id, ...rest } }: { input: WithId<Service.TicketAssignment> }, ctx: Context) =>
      payload(ctx, await Service.assignTicket(ctx.tenantId, { ...rest, ticketId: id }, by(ctx))),
    submitTicketSurvey: async (_: unknown, { input: { id, ...rest } }: { input: WithId<Service.TicketSurveyInput> }, ctx: Context) =>
      payload(ctx, await Service.submitTicketSurvey(ctx.tenantId, { ...rest, ticketId: id }, by(ctx))),
  },
  Ticket: {
    id: (t: T) => t.ticketId,
    member: (t: T, _: unknown, ctx: Context) => memberById(ctx).load(t.memberId),
    timeToFirstResponseMs: (t: T) => t.firstResponseMs ?? null,
    slaBreached: (t: T) => t.breached,
    timeToResolutionMs: (t: T) => t.resolutionMs ?? null,
    surveyOpen: (t: T) => (t.status === "RESOLVED" || t.status === "CLOSED") && t.resolutions > t.surveyedResolution,
    timeline: async (t: T, args: PageArgs, ctx: Context) => toConnection(await Service.listTicketTimeline(ctx.tenantId, t.ticketId, args)),
  },
  TicketTimelineEntry: {
    id: (e: Service.TimelineEntry) => e.entryId,
  },
  Member: {
    // A nested field is not in the root matrix: the same rule as `tickets` (members' own words).
    tickets: async (m: { memberId: string }, args: PageArgs, ctx: Context) => {
      if (!canSeePersonalData(ctx.principal)) throw new ForbiddenError("a member's tickets are for ADMIN and OPERATOR only");
      return primed(ctx, await Service.listTickets(ctx.tenantId, { memberId: m.memberId }, args));
    },
  },
  MetricsOverview: {
    service: (o: { service?: Service.ServiceMetrics | null }) => (o.service ? serviceMetricsView(o.service) : null),
  },
};

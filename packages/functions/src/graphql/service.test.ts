/**
 * The service loop through GraphQL: tickets, workflow errors, SLA, surveys, lists, roles, and
 * serviceMetrics / metricsOverview.service on a small fixture written through core with a
 * controlled clock (Shanghai times), numbers worked out by hand in the comments.
 */
import { createStaff } from "@growth/core/staff";
import { runJob } from "@growth/core/jobs";
import type { KpiSnapshot } from "@growth/core/metrics/kpi";
import { createMember } from "@growth/core/member";
import { changeTicketStatus, openTicket, respondToTicket, submitTicketSurvey } from "@growth/core/service";
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

type Errors = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const errorOf = (r: Errors) => ({ code: r.errors?.[0]?.extensions?.code, message: r.errors?.[0]?.message });

async function ok<T = Record<string, any>>(p: Promise<{ data?: unknown; errors?: readonly unknown[] }>): Promise<T> {
  const r = await p;
  expect(r.errors).toBeUndefined();
  return r.data as T;
}

const TICKET = `id memberId member { id } channel category priority subject status assigneeStaffId openedBy slaHours firstResponseDueAt
  firstResponseAt timeToFirstResponseMs sla slaBreached resolvedAt timeToResolutionMs resolutions satisfactionScore surveyOpen revision`;
const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { ticket { ${TICKET} } } }`;
const STATUS = `mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { id status revision } } }`;
const RESPOND = `mutation($input: RespondToTicketInput!) { respondToTicket(input: $input) { ticket { id sla firstResponseAt revision } } }`;
const SURVEY = `mutation($input: SubmitTicketSurveyInput!) { submitTicketSurvey(input: $input) { ticket { id satisfactionScore surveyOpen } } }`;
const VALUES = `tickets resolved resolutionRate responded firstResponseMedianMs firstResponseP90Ms resolutionMedianMs resolutionP90Ms
  slaDecided slaBreached slaBreachRate surveys promoters detractors satisfied nps csat`;
const METRICS = `query($range: DayRange!) { serviceMetrics(range: $range) { from to at overall { ${VALUES} }
  byChannel { channel metrics { tickets nps } } byAssignee { assigneeStaffId metrics { tickets slaBreached } } } }`;

describe("service tickets through GraphQL", () => {
  it("opens, answers, resolves and rates a ticket; refuses invalid moves, stale revisions and a second rating", async () => {
    const tenant = newTenantId("gsvc");
    const op = { tenant, role: "OPERATOR" as const, sub: "op-li" };
    const member = (await ok(executeOperation(`mutation { createMember(input: { name: "Ann", sourceChannel: WECOM }) { member { id } } }`, {}, { tenant }))).createMember.member.id as string;
    await ok(executeOperation(`mutation { createStaff(input: { id: "staff-li", name: "Li", role: SERVICE_AGENT }) { staff { id } } }`, {}, { tenant }));
    // An assignee must be a staff member of the brand.
    expect(errorOf(await executeOperation(OPEN, { input: { memberId: member, channel: "WECOM", category: "DELIVERY", subject: "Parcel late", assigneeStaffId: "nobody" } }, op)).code).toBe("NOT_FOUND");
    const opened = (await ok(executeOperation(OPEN, { input: { memberId: member, channel: "WECOM", category: "DELIVERY", subject: "Parcel late", assigneeStaffId: "staff-li" } }, op))).openTicket.ticket;
    expect(opened).toMatchObject({ memberId: member, member: { id: member }, status: "OPEN", priority: "NORMAL", openedBy: "op-li", slaHours: 168, sla: "PENDING", slaBreached: false, firstResponseAt: null, timeToFirstResponseMs: null, resolutions: 0, surveyOpen: false, revision: 1 });
    expect(Date.parse(opened.firstResponseDueAt) - Date.now()).toBeGreaterThan(167 * 3_600_000);

    expect(errorOf(await executeOperation(STATUS, { input: { id: opened.id, status: "CLOSED" } }, op))).toEqual({
      code: "BAD_USER_INPUT",
      message: `ticket ${opened.id} is OPEN: it can move to IN_PROGRESS or RESOLVED, not CLOSED`,
    });
    expect(errorOf(await executeOperation(STATUS, { input: { id: opened.id, status: "IN_PROGRESS", expectedRevision: 2 } }, op)).code).toBe("CONFLICT");
    expect(errorOf(await executeOperation(SURVEY, { input: { id: opened.id, score: 9 } }, op)).code).toBe("BAD_USER_INPUT");
    await ok(executeOperation(STATUS, { input: { id: opened.id, status: "IN_PROGRESS", expectedRevision: 1 } }, op));
    const replied = (await ok(executeOperation(RESPOND, { input: { id: opened.id, message: "It leaves today" } }, op))).respondToTicket.ticket;
    expect(replied).toMatchObject({ sla: "MET", revision: 3 });
    await ok(executeOperation(STATUS, { input: { id: opened.id, status: "RESOLVED", comment: "Delivered" } }, op));
    expect(errorOf(await executeOperation(SURVEY, { input: { id: opened.id, score: 11 } }, op)).code).toBe("BAD_USER_INPUT");
    const rated = (await ok(executeOperation(SURVEY, { input: { id: opened.id, score: 10, comment: "Great" } }, op))).submitTicketSurvey.ticket;
    expect(rated).toEqual({ id: opened.id, satisfactionScore: 10, surveyOpen: false });
    expect(errorOf(await executeOperation(SURVEY, { input: { id: opened.id, score: 3 } }, op)).code).toBe("CONFLICT");

    const read = await ok(executeOperation(`query($id: ID!) { ticket(id: $id) { status resolutions timeToResolutionMs timeline(first: 10) { edges { node { kind by fromStatus toStatus message score } } } } }`, { id: opened.id }, op));
    expect(read.ticket.status).toBe("RESOLVED");
    expect(read.ticket.timeToResolutionMs).toBeGreaterThanOrEqual(0);
    expect(read.ticket.timeline.edges.map((e: { node: Record<string, unknown> }) => e.node)).toEqual([
      { kind: "CREATED", by: "op-li", fromStatus: null, toStatus: "OPEN", message: null, score: null },
      { kind: "ASSIGNED", by: "op-li", fromStatus: null, toStatus: null, message: null, score: null },
      { kind: "STATUS", by: "op-li", fromStatus: "OPEN", toStatus: "IN_PROGRESS", message: null, score: null },
      { kind: "RESPONSE", by: "op-li", fromStatus: null, toStatus: null, message: "It leaves today", score: null },
      { kind: "STATUS", by: "op-li", fromStatus: "IN_PROGRESS", toStatus: "RESOLVED", message: "Delivered", score: null },
      { kind: "SURVEY", by: "op-li", fromStatus: null, toStatus: null, message: "Great", score: 10 },
    ]);
    const lists = await ok(
      executeOperation(
        `query($m: ID!) { resolved: tickets(filter: { status: RESOLVED }) { edges { node { id } } } mine: tickets(filter: { assigneeStaffId: "staff-li" }) { edges { node { id } } }
          open: tickets(filter: { status: OPEN }) { edges { node { id } } } awaiting: ticketsAwaitingResponse { edges { node { id } } }
          member(id: $m) { tickets(first: 5) { edges { node { id status } } pageInfo { hasNextPage } } } }`,
        { m: member },
        op,
      ),
    );
    expect(lists).toEqual({
      resolved: { edges: [{ node: { id: opened.id } }] },
      mine: { edges: [{ node: { id: opened.id } }] },
      open: { edges: [] },
      awaiting: { edges: [] },
      member: { tickets: { edges: [{ node: { id: opened.id, status: "RESOLVED" } }], pageInfo: { hasNextPage: false } } },
    });
    // Tickets hold members' own words: not for ANALYST, who still reads the aggregates.
    expect(errorOf(await executeOperation(`query { tickets { edges { node { id } } } }`, {}, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(`query($m: ID!) { member(id: $m) { tickets { edges { node { id } } } } }`, { m: member }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    expect(errorOf(await executeOperation(`mutation($id: ID!) { assignTicket(input: { id: $id, assigneeStaffId: "x" }) { ticket { id } } }`, { id: opened.id }, { tenant, role: "ANALYST" })).code).toBe("FORBIDDEN");
    // Yesterday to tomorrow (Shanghai), so the ticket is in the range whenever the test runs.
    const today = DateTime.now().setZone("Asia/Shanghai");
    const range = { from: today.minus({ days: 1 }).toISODate(), to: today.plus({ days: 1 }).toISODate() };
    const analyst = await ok(executeOperation(METRICS, { range }, { tenant, role: "ANALYST" }));
    expect(analyst.serviceMetrics.overall).toMatchObject({ tickets: 1, resolved: 1, responded: 1, slaDecided: 1, slaBreached: 0, surveys: 1, nps: 100, csat: 1 });
  });
});

/**
 * SLA 24 h (set through updateTenantSettings). Shanghai times:
 *
 * | Ticket | Opened | Channel | Assignee | Reply | Resolved | Survey |
 * |---|---|---|---|---|---|---|
 * | P | 03-10 09:00 | WECOM | s1 | +2h (7,200,000) | +4h (14,400,000) | 9 at 03-10 14:00 |
 * | Q | 03-10 23:59:59.999 | WECHAT_OA | — | none (due 03-11 23:59:59.999) | — | — |
 * | R | 03-11 00:00:00.000 | WECOM | s2 | +25h (90,000,000, late) | +26h (93,600,000) | 5 at 03-12 02:00 |
 */
describe("service metrics through GraphQL", () => {
  const tenant = newTenantId("gsvm");
  const sh = (local: string) => DateTime.fromISO(local, { zone: "Asia/Shanghai" }).toJSDate();
  beforeAll(async () => {
    const s = await ok(executeOperation(`mutation { updateTenantSettings(input: { serviceResponseSlaHours: 24 }) { settings { serviceResponseSlaHours attributionWindowDays } } }`, {}, { tenant }));
    expect(s.updateTenantSettings.settings).toEqual({ serviceResponseSlaHours: 24, attributionWindowDays: 7 });
    const by = { actor: "op" };
    const member = (await createMember(tenant, { name: "Bo", sourceChannel: "WECOM" }, by)).memberId;
    for (const staffId of ["s1", "s2"]) await createStaff(tenant, { staffId, name: staffId, role: "SERVICE_AGENT" });
    const open = (local: string, channel: string, assigneeStaffId?: string) => openTicket(tenant, { memberId: member, channel, category: "PRODUCT", subject: "Which size?", assigneeStaffId }, by, sh(local));
    const p = await open("2026-03-10T09:00:00.000", "WECOM", "s1");
    await respondToTicket(tenant, { ticketId: p.ticketId, message: "M" }, by, sh("2026-03-10T11:00:00.000"));
    await changeTicketStatus(tenant, { ticketId: p.ticketId, status: "RESOLVED" }, by, sh("2026-03-10T13:00:00.000"));
    await submitTicketSurvey(tenant, { ticketId: p.ticketId, score: 9 }, by, sh("2026-03-10T14:00:00.000"));
    await open("2026-03-10T23:59:59.999", "WECHAT_OA");
    const r = await open("2026-03-11T00:00:00.000", "WECOM", "s2");
    await respondToTicket(tenant, { ticketId: r.ticketId, message: "L" }, by, sh("2026-03-12T01:00:00.000"));
    await changeTicketStatus(tenant, { ticketId: r.ticketId, status: "RESOLVED" }, by, sh("2026-03-12T02:00:00.000"));
    await submitTicketSurvey(tenant, { ticketId: r.ticketId, score: 5 }, by, sh("2026-03-12T02:00:00.000"));
  }, 60_000);

  it("serviceMetrics: a day, two days and three days, read now (Q long overdue)", async () => {
    const day = (await ok(executeOperation(METRICS, { range: { from: "2026-03-10", to: "2026-03-10" } }, { tenant }))).serviceMetrics;
    expect(day).toMatchObject({ from: "2026-03-10", to: "2026-03-10" });
    expect(day.overall).toEqual({
      tickets: 2, resolved: 1, resolutionRate: 0.5, // P Q
      responded: 1, firstResponseMedianMs: 7_200_000, firstResponseP90Ms: 7_200_000,
      resolutionMedianMs: 14_400_000, resolutionP90Ms: 14_400_000,
      slaDecided: 2, slaBreached: 1, slaBreachRate: 0.5, // Q unanswered past due
      surveys: 1, promoters: 1, detractors: 0, satisfied: 1, nps: 100, csat: 1,
    });
    const two = (await ok(executeOperation(METRICS, { range: { from: "2026-03-10", to: "2026-03-11" } }, { tenant }))).serviceMetrics;
    expect(two.overall).toEqual({
      tickets: 3, resolved: 2, resolutionRate: 2 / 3,
      responded: 2, firstResponseMedianMs: 48_600_000, firstResponseP90Ms: 90_000_000, // (7.2M + 90M) / 2; rank ⌈1.8⌉ = 2
      resolutionMedianMs: 54_000_000, resolutionP90Ms: 93_600_000, // (14.4M + 93.6M) / 2
      slaDecided: 3, slaBreached: 2, slaBreachRate: 2 / 3, // Q, R late
      surveys: 1, promoters: 1, detractors: 0, satisfied: 1, nps: 100, csat: 1, // R's answer came on 03-12
    });
    expect(two.byChannel).toEqual([{ channel: "WECHAT_OA", metrics: { tickets: 1, nps: null } }, { channel: "WECOM", metrics: { tickets: 2, nps: 100 } }]);
    expect(two.byAssignee).toEqual([
      { assigneeStaffId: "s1", metrics: { tickets: 1, slaBreached: 0 } },
      { assigneeStaffId: "s2", metrics: { tickets: 1, slaBreached: 1 } },
      { assigneeStaffId: null, metrics: { tickets: 1, slaBreached: 1 } },
    ]);
    const three = (await ok(executeOperation(METRICS, { range: { from: "2026-03-10", to: "2026-03-12" } }, { tenant }))).serviceMetrics;
    expect(three.overall).toMatchObject({ tickets: 3, surveys: 2, promoters: 1, detractors: 1, satisfied: 1, nps: 0, csat: 0.5 });
    expect(errorOf(await executeOperation(METRICS, { range: { from: "2026-01-01", to: "2026-06-01" } }, { tenant })).code).toBe("BAD_USER_INPUT");
  });

  it("metricsOverview.service: the KPI snapshot's 30 days, as of the end of D", async () => {
    await runJob<KpiSnapshot>("kpi", { tenantId: tenant, asOf: "2026-03-11", segments: 2, workers: 1 });
    const o = await ok(executeOperation(`query { metricsOverview(asOf: "2026-03-11") { service { from to at overall { ${VALUES} } } } }`, {}, { tenant }));
    // At 03-11 23:59:59.999: Q not yet due (due that very millisecond), R neither answered nor due; only P counts as answered and resolved.
    expect(o.metricsOverview.service).toEqual({
      from: "2026-02-10",
      to: "2026-03-11",
      at: "2026-03-11T15:59:59.999Z",
      overall: {
        tickets: 3, resolved: 1, resolutionRate: 1 / 3, responded: 1, firstResponseMedianMs: 7_200_000, firstResponseP90Ms: 7_200_000,
        resolutionMedianMs: 14_400_000, resolutionP90Ms: 14_400_000, slaDecided: 1, slaBreached: 0, slaBreachRate: 0,
        surveys: 1, promoters: 1, detractors: 0, satisfied: 1, nps: 100, csat: 1,
      },
    });
  });
});

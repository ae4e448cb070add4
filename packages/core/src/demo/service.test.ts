/**
 * The demo's service desk: the planned tickets are written through the service domain with the
 * clock at each step, resumably; what is stored and the service metrics equal what the plan
 * says, computed here from the plan alone.
 */
import { describe, expect, it } from "vitest";
import { createMember } from "../member/create.js";
import { getServiceMetrics, getTickets, openTicket, respondToTicket, changeTicketStatus } from "../service/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { DEMO_ANCHOR, generateDemoBrand, loadDemoBrand } from "./index.js";
import { demoTickets, ensureDemoServiceStaff, loadDemoService, type DemoTicket } from "./service.js";

const SLA = 168 * 3_600_000;

/** What a ticket's stored state must be after its steps, from the plan. */
function expectedState(t: DemoTicket) {
  const opened = Date.parse(t.openedAt);
  const statuses = t.steps.filter((s) => s.kind === "status");
  const status = statuses.at(-1)?.status ?? "OPEN";
  const firstAnswer = t.steps.find((s) => s.kind === "reply" || s.status === "RESOLVED");
  const surveys = t.steps.filter((s) => s.kind === "survey");
  return {
    status,
    revision: 1 + t.steps.length,
    resolutions: statuses.filter((s) => s.status === "RESOLVED").length,
    firstResponseMs: firstAnswer ? Date.parse(firstAnswer.at) - opened : undefined,
    slaBreached: firstAnswer ? Date.parse(firstAnswer.at) - opened > SLA : undefined,
    satisfactionScore: surveys.at(-1)?.score,
  };
}

describe("demo service desk", () => {
  it("writes the planned tickets, resumes a partial load, and its metrics are the plan's", { timeout: 120_000 }, async () => {
    const tenant = newTenantId("dsvc");
    const plan = generateDemoBrand(2026, 300);
    const tickets = demoTickets(plan);
    expect(tickets.length).toBeGreaterThan(10);
    expect(JSON.stringify(demoTickets(generateDemoBrand(2026, 300)))).toBe(JSON.stringify(tickets));
    const members = new Set(tickets.map((t) => t.memberId));
    for (const m of plan.members.filter((p) => members.has(p.memberId))) await createMember(tenant, { memberId: m.memberId, name: m.name, sourceChannel: m.sourceChannel, joinedAt: m.joinedAt }, actor);

    // A load stopped after the first ticket's first step.
    await ensureDemoServiceStaff(tenant);
    const first = tickets[0]!;
    await openTicket(tenant, { ticketId: first.ticketId, memberId: first.memberId, channel: first.channel, category: first.category, priority: first.priority, subject: first.subject, assigneeStaffId: first.assigneeStaffId, openedByMember: first.openedByMember }, actor, new Date(first.openedAt));
    const s0 = first.steps[0]!;
    if (s0.kind === "status") await changeTicketStatus(tenant, { ticketId: first.ticketId, status: s0.status! }, actor, new Date(s0.at));
    else await respondToTicket(tenant, { ticketId: first.ticketId, message: s0.message!, internal: s0.kind === "note" }, actor, new Date(s0.at));

    const totalSteps = tickets.reduce((n, t) => n + t.steps.length, 0);
    const surveys = tickets.flatMap((t) => t.steps.filter((s) => s.kind === "survey").map((s) => s.score!));
    const loaded = await loadDemoService(tenant, plan);
    expect(loaded).toEqual({ tickets: tickets.length, surveys: surveys.length, opened: tickets.length - 1, steps: totalSteps - 1 });
    expect(await loadDemoService(tenant, plan)).toEqual({ tickets: tickets.length, surveys: surveys.length, opened: 0, steps: 0 });

    const stored = await getTickets(tenant, tickets.map((t) => t.ticketId), new Date(DEMO_ANCHOR));
    tickets.forEach((t, i) => expect(stored[i], t.ticketId).toMatchObject(JSON.parse(JSON.stringify(expectedState(t)))));

    // Every ticket opened in the 90 days before the anchor (08-03..10-31 Shanghai), read at the anchor.
    const m = await getServiceMetrics(tenant, { from: "2026-08-03", to: "2026-10-31" }, new Date(DEMO_ANCHOR));
    const states = tickets.map(expectedState);
    const anchor = Date.parse(DEMO_ANCHOR);
    const unansweredOverdue = tickets.filter((t, i) => states[i]!.firstResponseMs === undefined && anchor > Date.parse(t.openedAt) + SLA).length;
    expect(m.overall).toMatchObject({
      tickets: tickets.length,
      resolved: states.filter((s) => s.status === "RESOLVED" || s.status === "CLOSED").length,
      responded: states.filter((s) => s.firstResponseMs !== undefined).length,
      slaBreached: states.filter((s) => s.slaBreached).length + unansweredOverdue,
      surveys: surveys.length,
      promoters: surveys.filter((s) => s >= 9).length,
      detractors: surveys.filter((s) => s <= 6).length,
      satisfied: surveys.filter((s) => s >= 8).length,
    });
    expect(m.overall.resolutionRate).toBeGreaterThan(0.7);
    expect(m.byAssignee.map((a) => a.assigneeStaffId)).toEqual(expect.arrayContaining(["staff-lin", "staff-chen"]));
  });

  it("after the service desk, a second demo load still finds every member complete (survey answers are their events too)", { timeout: 180_000 }, async () => {
    const tenant = newTenantId("dsv2");
    const options = { seed: 2026, members: 60 };
    const plan = generateDemoBrand(options.seed, options.members);
    const tickets = demoTickets(plan);
    expect(tickets.some((t) => t.steps.some((s) => s.kind === "survey"))).toBe(true);
    await loadDemoBrand(tenant, options);
    const service = await loadDemoService(tenant, plan);
    expect(service.opened).toBe(tickets.length);
    const again = await loadDemoBrand(tenant, options);
    expect(again.skipped).toBe(60);
    expect(again.written).toMatchObject({ members: 0, orders: 0, events: 0 });
  });
});

/**
 * Service tickets against DynamoDB Local with a controllable clock (every core call takes `now`).
 * Times are Shanghai wall clock (UTC+8) written out to the millisecond; expected numbers are
 * worked out by hand in the comments.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { createMember } from "../member/create.js";
import { DomainError } from "../shared/errors.js";
import { actor, newTenantId } from "../test/tenant.js";
import { forgetSettings, updateSettings } from "../tenant/settings.js";
import { listTickets, listTicketsAwaitingResponse, listTicketTimeline } from "./list.js";
import { ensureServiceAgents, loadServiceFixture } from "./fixture.js";
import { getServiceMetrics, median, percentile } from "./metrics.js";
import { getTicket, openTicket } from "./store.js";
import { submitTicketSurvey, surveyEventId } from "./survey.js";
import { assignTicket, changeTicketStatus, respondToTicket } from "./workflow.js";

const sh = (local: string) => DateTime.fromISO(local, { zone: "Asia/Shanghai" }).toJSDate();
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
const H = 3_600_000;

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a DomainError");
}

async function memberOf(tenant: string, name = "Ann"): Promise<string> {
  return (await createMember(tenant, { name, sourceChannel: "WECOM" }, actor)).memberId;
}

const base = (memberId: string) => ({ memberId, channel: "WECOM", category: "ORDER", subject: "Where is my parcel?" });

describe("ticket workflow", () => {
  it("follows the transition table, names the valid moves, conditions writes on the revision and keeps a timeline", async () => {
    const tenant = newTenantId("svc");
    await ensureServiceAgents(tenant, ["staff-li"]);
    const member = await memberOf(tenant);
    const t0 = sh("2026-03-01T09:00:00.000");
    const opened = await openTicket(tenant, { ...base(member), priority: "HIGH", description: "Ordered on the 25th", assigneeStaffId: "staff-li" }, actor, t0);
    expect(opened).toMatchObject({ status: "OPEN", priority: "HIGH", revision: 1, slaHours: 168, sla: "PENDING", breached: false, assigneeStaffId: "staff-li", openedBy: "test-user", resolutions: 0 });
    // Default target: 168 hours = 7 days after opening.
    expect(opened.firstResponseDueAt).toBe("2026-03-08T01:00:00.000Z");

    expect(await codeOf(changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "CLOSED" }, actor, t0))).toEqual({
      code: "BAD_USER_INPUT",
      message: `ticket ${opened.ticketId} is OPEN: it can move to IN_PROGRESS or RESOLVED, not CLOSED`,
    });
    expect((await codeOf(changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "DONE" }, actor, t0))).code).toBe("BAD_USER_INPUT");
    // A stale revision is CONFLICT and writes nothing.
    expect((await codeOf(changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "IN_PROGRESS", expectedRevision: 7 }, actor, t0))).code).toBe("CONFLICT");
    expect((await codeOf(changeTicketStatus(tenant, { ticketId: "tkt_nope", status: "IN_PROGRESS" }, actor, t0))).code).toBe("NOT_FOUND");

    const working = await changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "IN_PROGRESS", expectedRevision: 1 }, actor, plus(t0, H));
    expect(working).toMatchObject({ status: "IN_PROGRESS", revision: 2 });
    // Two concurrent writes from the same revision: exactly one wins.
    const results = await Promise.allSettled([
      respondToTicket(tenant, { ticketId: opened.ticketId, message: "It ships today", expectedRevision: 2 }, actor, plus(t0, 2 * H)),
      respondToTicket(tenant, { ticketId: opened.ticketId, message: "Checking", expectedRevision: 2 }, actor, plus(t0, 2 * H)),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as DomainError).code).toBe("CONFLICT");

    await respondToTicket(tenant, { ticketId: opened.ticketId, message: "Courier called", internal: true }, actor, plus(t0, 3 * H));
    const resolved = await changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "RESOLVED", comment: "Delivered" }, actor, plus(t0, 5 * H));
    expect(resolved).toMatchObject({ status: "RESOLVED", resolutions: 1, firstResponseMs: 2 * H, slaBreached: false, sla: "MET", resolutionMs: 5 * H, revision: 5 });
    const closed = await changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "CLOSED" }, actor, plus(t0, 6 * H));
    expect(closed.closedAt).toBe(plus(t0, 6 * H).toISOString());
    expect(await codeOf(changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "RESOLVED" }, actor, plus(t0, 6 * H)))).toMatchObject({ message: expect.stringContaining("it can move to OPEN, not RESOLVED") });
    expect((await codeOf(respondToTicket(tenant, { ticketId: opened.ticketId, message: "Hello?" }, actor, plus(t0, 6 * H)))).code).toBe("BAD_USER_INPUT");
    const reopened = await changeTicketStatus(tenant, { ticketId: opened.ticketId, status: "OPEN", comment: "Wrong item inside" }, actor, plus(t0, 7 * H));
    // A reopen clears the resolution but not the first response (the SLA is the first response's).
    expect(reopened).toMatchObject({ status: "OPEN", resolutions: 1, firstResponseMs: 2 * H, sla: "MET" });
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.closedAt).toBeUndefined();

    const timeline = await listTicketTimeline(tenant, opened.ticketId, { first: 3 });
    expect(timeline.items.map((e) => e.kind)).toEqual(["CREATED", "ASSIGNED", "STATUS"]);
    const rest = await listTicketTimeline(tenant, opened.ticketId, { first: 20, after: timeline.endCursor });
    expect(rest.items.map((e) => [e.kind, e.toStatus ?? null, e.message ?? null])).toEqual([
      ["RESPONSE", null, expect.any(String)],
      ["NOTE", null, "Courier called"],
      ["STATUS", "RESOLVED", "Delivered"],
      ["STATUS", "CLOSED", null],
      ["STATUS", "OPEN", "Wrong item inside"],
    ]);
    expect(rest.hasNextPage).toBe(false);
  });

  it("validates input: channel enum, category, priority, text bounds, staff id shape, an active member", async () => {
    const tenant = newTenantId("svc");
    const member = await memberOf(tenant);
    const now = sh("2026-03-01T09:00:00.000");
    const bad = async (input: Record<string, unknown>) => (await codeOf(openTicket(tenant, { ...base(member), ...input } as never, actor, now))).code;
    expect(await bad({ channel: "FAX" })).toBe("BAD_USER_INPUT");
    expect(await bad({ category: "GOSSIP" })).toBe("BAD_USER_INPUT");
    expect(await bad({ priority: "SOMEDAY" })).toBe("BAD_USER_INPUT");
    expect(await bad({ subject: "   " })).toBe("BAD_USER_INPUT");
    expect(await bad({ subject: "x".repeat(201) })).toBe("BAD_USER_INPUT");
    expect(await bad({ description: "x".repeat(4001) })).toBe("BAD_USER_INPUT");
    expect(await bad({ assigneeStaffId: "li#1" })).toBe("BAD_USER_INPUT");
    expect(await bad({ assigneeStaffId: "nobody" })).toBe("NOT_FOUND"); // staff members must exist
    expect(await bad({ memberId: "m_missing" })).toBe("NOT_FOUND");
    const ok = await openTicket(tenant, { ...base(member), subject: "x".repeat(200), openedByMember: true }, actor, now);
    expect(ok).toMatchObject({ priority: "NORMAL", openedBy: "member" });
  });
});

describe("response SLA with a controllable clock", () => {
  it("breaches from the millisecond after the due time, at read time, in the stored flag and in the awaiting lists", async () => {
    const tenant = newTenantId("sla");
    await updateSettings(tenant, { serviceResponseSlaHours: 2 });
    forgetSettings(tenant);
    const member = await memberOf(tenant);
    const t0 = sh("2026-03-02T23:30:00.000");
    const due = plus(t0, 2 * H); // 03-03 01:30 Shanghai
    const a = await openTicket(tenant, base(member), actor, t0);
    const b = await openTicket(tenant, base(member), actor, plus(t0, 1));
    const c = await openTicket(tenant, base(member), actor, plus(t0, 10 * 60_000)); // due 01:40
    expect(a.slaHours).toBe(2);
    expect(a.firstResponseDueAt).toBe(due.toISOString());

    // At the due instant nothing is breached; one millisecond later a (due then) is, read from the same stored item.
    expect((await getTicket(tenant, a.ticketId, due)).sla).toBe("PENDING");
    expect((await getTicket(tenant, a.ticketId, plus(due, 1))).sla).toBe("BREACHED");
    expect((await getTicket(tenant, a.ticketId, plus(due, 1))).breached).toBe(true);
    const ids = async (sla: string, now: Date, withinHours?: number) => (await listTicketsAwaitingResponse(tenant, { sla, withinHours }, {}, now)).items.map((t) => t.ticketId);
    expect(await ids("BREACHED", due)).toEqual([]);
    expect(await ids("BREACHED", plus(due, 1))).toEqual([a.ticketId]);
    expect(await ids("BREACHED", plus(due, 2))).toEqual([a.ticketId, b.ticketId]);
    // At risk = not breached, due within the window: at the due instant a is still at risk.
    expect(await ids("AT_RISK", due, 1)).toEqual([a.ticketId, b.ticketId, c.ticketId]);
    expect(await ids("AT_RISK", plus(due, 1), 1)).toEqual([b.ticketId, c.ticketId]);
    expect(await ids("ALL", plus(due, 1))).toEqual([a.ticketId, b.ticketId, c.ticketId]);
    expect((await codeOf(listTicketsAwaitingResponse(tenant, { sla: "AT_RISK", withinHours: 0 }, {}, due))).code).toBe("BAD_USER_INPUT");

    // A reply exactly at the due instant is in time; one a millisecond late is stored as breached.
    const onTime = await respondToTicket(tenant, { ticketId: a.ticketId, message: "Here" }, actor, due);
    expect(onTime).toMatchObject({ firstResponseMs: 7_200_000, slaBreached: false, sla: "MET" });
    const late = await respondToTicket(tenant, { ticketId: b.ticketId, message: "Sorry" }, actor, plus(due, 2));
    expect(late).toMatchObject({ firstResponseMs: 7_200_001, slaBreached: true, sla: "BREACHED" });
    // Stored: a later reader sees the same, whatever the clock; the second reply changes nothing.
    const again = await respondToTicket(tenant, { ticketId: b.ticketId, message: "More" }, actor, plus(due, 5 * H));
    expect(again).toMatchObject({ firstResponseMs: 7_200_001, slaBreached: true });
    // Internal notes do not stop the clock.
    const noted = await respondToTicket(tenant, { ticketId: c.ticketId, message: "Asked the warehouse", internal: true }, actor, plus(due, 1));
    expect(noted.firstResponseAt).toBeUndefined();
    // Answered tickets leave the awaiting list in their own transaction.
    expect(await ids("ALL", plus(due, 3 * H))).toEqual([c.ticketId]);
    // Resolving without a reply stops the clock at the resolution.
    const resolved = await changeTicketStatus(tenant, { ticketId: c.ticketId, status: "RESOLVED" }, actor, plus(due, 10 * 60_000));
    expect(resolved).toMatchObject({ firstResponseMs: 7_200_000, slaBreached: false, resolutionMs: 7_200_000 });
    expect(await ids("ALL", plus(due, 3 * H))).toEqual([]);
  });

  it("uses the target in force when the ticket opened; the setting is bounded", async () => {
    const tenant = newTenantId("sla");
    const member = await memberOf(tenant);
    const first = await openTicket(tenant, base(member), actor, sh("2026-03-01T00:00:00.000"));
    const settings = await updateSettings(tenant, { serviceResponseSlaHours: 48 });
    expect(settings.serviceResponseSlaHours).toBe(48);
    expect((await codeOf(updateSettings(tenant, { serviceResponseSlaHours: 0 }))).code).toBe("BAD_USER_INPUT");
    expect((await codeOf(updateSettings(tenant, { serviceResponseSlaHours: 1.5 }))).code).toBe("BAD_USER_INPUT");
    const second = await openTicket(tenant, base(member), actor, sh("2026-03-01T00:00:00.000"));
    expect([first.slaHours, second.slaHours]).toEqual([168, 48]);
    expect((await getTicket(tenant, first.ticketId)).slaHours).toBe(168);
  });
});

describe("satisfaction survey", () => {
  it("is taken once per resolution, 0-10, only after resolution, and recorded as the member's SURVEY_SCORE event", async () => {
    const tenant = newTenantId("svy");
    const member = await memberOf(tenant);
    const t0 = sh("2026-03-05T10:00:00.000");
    const t = await openTicket(tenant, base(member), actor, t0);
    expect(await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 9 }, actor, t0))).toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringContaining("after its resolution") });
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "RESOLVED" }, actor, plus(t0, H));
    expect((await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 11 }, actor, plus(t0, 2 * H)))).code).toBe("BAD_USER_INPUT");
    expect((await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: -1 }, actor, plus(t0, 2 * H)))).code).toBe("BAD_USER_INPUT");
    expect((await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 7.5 }, actor, plus(t0, 2 * H)))).code).toBe("BAD_USER_INPUT");
    const rated = await submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 9, comment: "Quick" }, actor, plus(t0, 2 * H));
    expect(rated).toMatchObject({ satisfactionScore: 9, surveyedResolution: 1 });
    expect((await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 3 }, actor, plus(t0, 3 * H)))).code).toBe("CONFLICT");
    const event = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.event(tenant, surveyEventId(t.ticketId, 1)) }));
    expect(event.Item).toMatchObject({ type: "SURVEY_SCORE", score: 9, memberId: member, channel: "WECOM", occurredAt: plus(t0, 2 * H).toISOString() });

    // Reopened and resolved again: the new resolution may be rated (after CLOSED too).
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "OPEN" }, actor, plus(t0, 4 * H));
    expect((await codeOf(submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 3 }, actor, plus(t0, 4 * H)))).code).toBe("BAD_USER_INPUT");
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "RESOLVED" }, actor, plus(t0, 5 * H));
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "CLOSED" }, actor, plus(t0, 6 * H));
    const second = await submitTicketSurvey(tenant, { ticketId: t.ticketId, score: 3 }, actor, plus(t0, 7 * H));
    expect(second).toMatchObject({ satisfactionScore: 3, surveyedResolution: 2, resolutions: 2, resolutionMs: 5 * H });
    // Two concurrent answers to one resolution: one is stored, the other is CONFLICT.
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "OPEN" }, actor, plus(t0, 8 * H));
    await changeTicketStatus(tenant, { ticketId: t.ticketId, status: "RESOLVED" }, actor, plus(t0, 9 * H));
    const race = await Promise.allSettled([6, 10].map((score) => submitTicketSurvey(tenant, { ticketId: t.ticketId, score }, actor, plus(t0, 10 * H))));
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(((race.find((r) => r.status === "rejected") as PromiseRejectedResult).reason as DomainError).code).toBe("CONFLICT");
  });
});

describe("ticket lists", () => {
  it("lists by status, by assignee (any or one status) and by member, newest first, with signed cursors", async () => {
    const tenant = newTenantId("lst");
    await ensureServiceAgents(tenant, ["s1", "s2"]);
    const [ann, bob] = [await memberOf(tenant, "Ann"), await memberOf(tenant, "Bob")];
    const at = (i: number) => sh(`2026-03-0${i}T12:00:00.000`);
    const t1 = await openTicket(tenant, { ...base(ann), assigneeStaffId: "s1" }, actor, at(1));
    const t2 = await openTicket(tenant, { ...base(bob), assigneeStaffId: "s2" }, actor, at(2));
    const t3 = await openTicket(tenant, { ...base(ann), assigneeStaffId: "s1" }, actor, at(3));
    const t4 = await openTicket(tenant, { ...base(bob) }, actor, at(4));
    await changeTicketStatus(tenant, { ticketId: t3.ticketId, status: "IN_PROGRESS" }, actor, at(5));
    await changeTicketStatus(tenant, { ticketId: t1.ticketId, status: "RESOLVED" }, actor, at(5));
    await assignTicket(tenant, { ticketId: t4.ticketId, assigneeStaffId: "s1" }, actor, at(6));
    await assignTicket(tenant, { ticketId: t2.ticketId, assigneeStaffId: null }, actor, at(6));
    const ids = async (filter: Record<string, string>, first = 10) => (await listTickets(tenant, filter, { first })).items.map((t) => t.ticketId);

    expect(await ids({})).toEqual([t4, t3, t2, t1].map((t) => t.ticketId));
    expect(await ids({ status: "OPEN" })).toEqual([t4, t2].map((t) => t.ticketId));
    expect(await ids({ status: "RESOLVED" })).toEqual([t1.ticketId]);
    expect(await ids({ assigneeStaffId: "s1" })).toEqual([t4, t3, t1].map((t) => t.ticketId));
    expect(await ids({ assigneeStaffId: "s1", status: "IN_PROGRESS" })).toEqual([t3.ticketId]);
    expect(await ids({ assigneeStaffId: "s2" })).toEqual([]);
    expect(await ids({ memberId: ann })).toEqual([t3, t1].map((t) => t.ticketId));
    expect((await codeOf(listTickets(tenant, { memberId: ann, status: "OPEN" }, {}))).code).toBe("BAD_USER_INPUT");

    const page1 = await listTickets(tenant, {}, { first: 3 });
    expect(page1.hasNextPage).toBe(true);
    const page2 = await listTickets(tenant, {}, { first: 3, after: page1.endCursor });
    expect(page2.items.map((t) => t.ticketId)).toEqual([t1.ticketId]);
    expect(page2.hasNextPage).toBe(false);
    // A cursor of one list does not work on another, nor for another tenant.
    expect((await codeOf(listTickets(tenant, { status: "OPEN" }, { after: page1.endCursor }))).code).toBe("BAD_USER_INPUT");
    expect((await codeOf(listTickets(newTenantId("other"), {}, { after: page1.endCursor }))).code).toBe("BAD_USER_INPUT");
  });
});

/** The fixture's table is in fixture.ts. */
describe("service metrics", () => {
  const tenant = newTenantId("svm");
  beforeAll(() => loadServiceFixture(tenant), 60_000);

  it("computes the period's numbers by hand, overall, per channel and per assignee, cut at Shanghai midnight", async () => {
    const now = sh("2026-03-12T08:00:00.001"); // E is 1 ms past due, F is not due yet
    const m = await getServiceMetrics(tenant, { from: "2026-03-10", to: "2026-03-11" }, now);
    // A opened 1 ms before the period (03-09 23:59:59.999 Shanghai) and its survey came at 03-12 00:00: both out.
    expect(m.overall).toEqual({
      tickets: 6, // B C D E F G
      resolved: 3, // B C G
      resolutionRate: 0.5,
      responded: 4, // B 3.6M, G 7.2M, D 86.4M, C 108M
      firstResponseMedianMs: (7_200_000 + 86_400_000) / 2, // 46,800,000
      firstResponseP90Ms: 108_000_000, // rank ⌈0.9 × 4⌉ = 4
      resolutionMedianMs: 18_000_000, // G 14.4M, B 18M, C 129.6M
      resolutionP90Ms: 129_600_000, // rank ⌈2.7⌉ = 3
      slaDecided: 5, // B C D G answered, E unanswered past due; F still running
      slaBreached: 2, // C (late reply), E (overdue)
      slaBreachRate: 0.4,
      surveys: 4, // B 10, G 9, G 8, C 6
      promoters: 2,
      detractors: 1,
      satisfied: 3,
      nps: 25, // 100 × (2 − 1) / 4
      csat: 0.75,
    });
    const byChannel = Object.fromEntries(m.byChannel.map(({ channel, ...v }) => [channel, v]));
    expect(Object.keys(byChannel)).toEqual(["MINI_PROGRAM", "WECHAT_OA", "WECOM"]);
    expect(byChannel.MINI_PROGRAM).toMatchObject({ tickets: 1, resolved: 0, resolutionRate: 0, firstResponseMedianMs: 86_400_000, firstResponseP90Ms: 86_400_000, resolutionMedianMs: null, slaDecided: 1, slaBreached: 0, slaBreachRate: 0, surveys: 0, nps: null, csat: null });
    expect(byChannel.WECHAT_OA).toMatchObject({ tickets: 1, resolved: 0, responded: 0, firstResponseMedianMs: null, slaDecided: 0, slaBreachRate: null, surveys: 0 });
    expect(byChannel.WECOM).toMatchObject({
      tickets: 4, resolved: 3, resolutionRate: 0.75,
      firstResponseMedianMs: 7_200_000, firstResponseP90Ms: 108_000_000, // 3.6M, 7.2M, 108M
      resolutionMedianMs: 18_000_000, resolutionP90Ms: 129_600_000,
      slaDecided: 4, slaBreached: 2, slaBreachRate: 0.5, surveys: 4, nps: 25, csat: 0.75,
    });
    const byStaff = new Map(m.byAssignee.map(({ assigneeStaffId, ...v }) => [assigneeStaffId, v]));
    expect([...byStaff.keys()]).toEqual(["s1", "s2", null]);
    expect(byStaff.get("s1")).toMatchObject({
      tickets: 3, resolved: 2, resolutionRate: 2 / 3, // B F G
      firstResponseMedianMs: 5_400_000, firstResponseP90Ms: 7_200_000, // 3.6M, 7.2M
      resolutionMedianMs: 16_200_000, resolutionP90Ms: 18_000_000, // 14.4M, 18M
      slaDecided: 2, slaBreached: 0, slaBreachRate: 0, surveys: 3, promoters: 2, detractors: 0, nps: 200 / 3, csat: 1,
    });
    expect(byStaff.get("s2")).toMatchObject({ tickets: 2, resolved: 1, resolutionRate: 0.5, firstResponseMedianMs: 108_000_000, resolutionMedianMs: 129_600_000, slaDecided: 2, slaBreached: 2, slaBreachRate: 1, surveys: 1, nps: -100, csat: 0 });
    expect(byStaff.get(null)).toMatchObject({ tickets: 1, slaDecided: 1, slaBreached: 0 });

    // One millisecond earlier E is not yet due: nothing about it is decided.
    const before = await getServiceMetrics(tenant, { from: "2026-03-10", to: "2026-03-11" }, sh("2026-03-12T08:00:00.000"));
    expect(before.overall).toMatchObject({ slaDecided: 4, slaBreached: 1, slaBreachRate: 0.25 });
    // The single day 03-10: B C D (A opened 1 ms before its midnight), B's survey only.
    const day = await getServiceMetrics(tenant, { from: "2026-03-10", to: "2026-03-10" }, now);
    expect(day.overall).toMatchObject({ tickets: 3, resolved: 2, surveys: 1, nps: 100, csat: 1 });
    const prev = await getServiceMetrics(tenant, { from: "2026-03-09", to: "2026-03-09" }, now);
    expect(prev.overall).toMatchObject({ tickets: 1, resolved: 1, firstResponseMedianMs: 3_600_001, resolutionMedianMs: 7_200_001, surveys: 0 });
    expect((await codeOf(getServiceMetrics(tenant, { from: "2026-01-01", to: "2026-04-30" }, now))).code).toBe("BAD_USER_INPUT");
    expect((await codeOf(getServiceMetrics(tenant, { from: "2026-03-11", to: "2026-03-10" }, now))).code).toBe("BAD_USER_INPUT");
  });

  it("median and nearest-rank p90", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
    expect(median([])).toBeNull();
  });
});

import { createStaff, findStaff } from "../staff/staff.js";
import { DateTime } from "luxon";
import { createMember } from "../member/create.js";
import { actor } from "../test/tenant.js";
import { forgetSettings, updateSettings } from "../tenant/settings.js";
import { openTicket } from "./store.js";
import { submitTicketSurvey } from "./survey.js";
import { changeTicketStatus, respondToTicket } from "./workflow.js";

export const sh = (local: string) => DateTime.fromISO(local, { zone: "Asia/Shanghai" }).toJSDate();
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
const H = 3_600_000;

/**
 * The service metrics fixture (SLA target 24 h); service.test.ts and kpi-service.test.ts assert
 * its numbers, worked out there. Shanghai times; "+Nh" from opening.
 *
 * | Ticket | Opened | Channel | Assignee | First response | Resolved | Survey |
 * |---|---|---|---|---|---|---|
 * | A | 03-09 23:59:59.999 | WECHAT_OA | s1 | 03-10 01:00 (3,600,001 ms) | 03-10 02:00 (7,200,001 ms) | 0 at 03-12 00:00:00.000 |
 * | B | 03-10 00:00:00.000 | WECOM | s1 | +1h | +5h | 10 at 03-10 06:00 |
 * | C | 03-10 10:00 | WECOM | s2 | +30h (breached: due +24h) | +36h (03-11 22:00) | 6 at 03-11 23:59:59.999 |
 * | D | 03-10 12:00 | MINI_PROGRAM | — | +24h exactly (in time) | — | — |
 * | E | 03-11 08:00 | WECOM | s2 | — (due 03-12 08:00) | — | — |
 * | F | 03-11 20:00 | WECHAT_OA | s1 | — (due 03-12 20:00) | — | — |
 * | G | 03-11 09:00 | WECOM | s1 | resolved +2h without a reply (7,200,000) | +2h, reopened +3h, resolved +4h | 9 at +2.5h, 8 at +5h |
 */
/** Service agents to assign tickets to (staff members must exist and not have left). */
export async function ensureServiceAgents(tenant: string, ids: readonly string[]): Promise<void> {
  for (const staffId of ids) if (!(await findStaff(tenant, staffId))) await createStaff(tenant, { staffId, name: `Agent ${staffId}`, role: "SERVICE_AGENT" });
}

export async function loadServiceFixture(tenant: string): Promise<void> {
  await updateSettings(tenant, { serviceResponseSlaHours: 24 });
  forgetSettings(tenant);
  const member = (await createMember(tenant, { name: "Ann", sourceChannel: "WECOM" }, actor)).memberId;
  await ensureServiceAgents(tenant, ["s1", "s2"]);
  const open = (local: string, channel: string, assigneeStaffId?: string) =>
    openTicket(tenant, { memberId: member, channel, category: "ORDER", subject: "Where is my parcel?", assigneeStaffId }, actor, sh(local));
  const reply = (id: string, at: Date) => respondToTicket(tenant, { ticketId: id, message: "On it" }, actor, at);
  const status = (id: string, s: string, at: Date) => changeTicketStatus(tenant, { ticketId: id, status: s }, actor, at);
  const rate = (id: string, score: number, at: Date) => submitTicketSurvey(tenant, { ticketId: id, score }, actor, at);

  const a = await open("2026-03-09T23:59:59.999", "WECHAT_OA", "s1");
  await reply(a.ticketId, sh("2026-03-10T01:00:00.000"));
  await status(a.ticketId, "RESOLVED", sh("2026-03-10T02:00:00.000"));
  await rate(a.ticketId, 0, sh("2026-03-12T00:00:00.000"));
  const b0 = sh("2026-03-10T00:00:00.000");
  const b = await open("2026-03-10T00:00:00.000", "WECOM", "s1");
  await reply(b.ticketId, plus(b0, H));
  await status(b.ticketId, "RESOLVED", plus(b0, 5 * H));
  await rate(b.ticketId, 10, sh("2026-03-10T06:00:00.000"));
  const c0 = sh("2026-03-10T10:00:00.000");
  const c = await open("2026-03-10T10:00:00.000", "WECOM", "s2");
  await reply(c.ticketId, plus(c0, 30 * H));
  await status(c.ticketId, "RESOLVED", plus(c0, 36 * H));
  await rate(c.ticketId, 6, sh("2026-03-11T23:59:59.999"));
  const d0 = sh("2026-03-10T12:00:00.000");
  const d = await open("2026-03-10T12:00:00.000", "MINI_PROGRAM");
  await reply(d.ticketId, plus(d0, 24 * H));
  await open("2026-03-11T08:00:00.000", "WECOM", "s2");
  await open("2026-03-11T20:00:00.000", "WECHAT_OA", "s1");
  const g0 = sh("2026-03-11T09:00:00.000");
  const g = await open("2026-03-11T09:00:00.000", "WECOM", "s1");
  await status(g.ticketId, "RESOLVED", plus(g0, 2 * H));
  await rate(g.ticketId, 9, plus(g0, 2.5 * H));
  await status(g.ticketId, "OPEN", plus(g0, 3 * H));
  await status(g.ticketId, "RESOLVED", plus(g0, 4 * H));
  await rate(g.ticketId, 8, plus(g0, 5 * H));
}

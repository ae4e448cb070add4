import { createStaff, findStaff } from "../staff/staff.js";
import type { Channel } from "../member/types.js";
import { getTickets, openTicket } from "../service/store.js";
import { submitTicketSurvey } from "../service/survey.js";
import type { Ticket, TicketCategory, TicketPriority, TicketStatus } from "../service/types.js";
import { changeTicketStatus, respondToTicket } from "../service/workflow.js";
import { DEMO_ANCHOR } from "./catalog.js";
import { DEFAULT_DEMO_MEMBERS, DEFAULT_DEMO_SEED, demoIdPrefix, generateDemoBrand, type DemoPlan } from "./generate.js";
import { Random } from "./random.js";

/**
 * The demo brand's service desk (服务型私域): about 5% of members open a ticket in the 90 days
 * before the anchor, most answered within hours, a few after the 7-day target, ~92% resolved
 * (the seeds' 解决率 92%), about two in three resolutions rated with scores aimed at an NPS in
 * the forties (the seeds' NPS 47). Derived from the plan with its own random stream, so the
 * members, orders and events of the plan are untouched; deterministic for a seed and size.
 *
 * The tickets are written through the service domain (openTicket, respondToTicket, ...) with
 * the clock set to each step's time, after the members (`ensureDemoService`, called by `npm
 * start`): a survey answer is also the member's SURVEY_SCORE event, which the member load's
 * completeness check allows for (`demoSurveysByMember`).
 */

/** The demo's service staff (plain staff ids, as tickets hold them). */
export const DEMO_SERVICE_STAFF = ["staff-lin", "staff-chen", "staff-wang", "staff-zhou"] as const;
const DEMO_SERVICE_STAFF_NAMES = ["客服林悦", "客服陈晨", "客服王芳", "客服周航"] as const;

export interface DemoTicketStep {
  at: string;
  by: string;
  kind: "status" | "reply" | "note" | "survey";
  status?: TicketStatus;
  message?: string;
  score?: number;
}

export interface DemoTicket extends Pick<Ticket, "ticketId" | "memberId" | "channel" | "category" | "priority" | "subject" | "assigneeStaffId"> {
  openedByMember: boolean;
  openedAt: string;
  /** Each step raises the ticket's revision by one (opening is revision 1), so a resumed load knows where it stopped. */
  steps: DemoTicketStep[];
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

const SUBJECTS: Record<TicketCategory, readonly string[]> = {
  PRODUCT: ["这款茶的甜度可以调吗", "新品的咖啡因含量是多少", "季节限定还会返场吗"],
  ORDER: ["订单显示已支付但没出杯", "想修改外卖地址", "发票怎么开"],
  DELIVERY: ["外卖超过一小时还没到", "配送员把饮品洒了", "到店自提找不到订单"],
  RETURN_REFUND: ["饮品做错了申请退款", "重复扣款请退回", "优惠券没抵扣想退差价"],
  MEMBERSHIP: ["积分没有到账", "会员等级为什么降了", "生日券没有收到"],
  COMPLAINT: ["门店店员态度不好", "饮品口味和以前不一样", "排队太久"],
  OTHER: ["想加入社群", "门店营业时间咨询", "企业团购怎么下单"],
};
const REPLIES = ["您好，已为您核实，正在处理", "抱歉给您带来不便，已安排门店跟进", "已为您补发并记录，感谢反馈"];

/** The demo's tickets, in member order. */
export function demoTickets(plan: DemoPlan): DemoTicket[] {
  const r = Random.derive(plan.seed, "service", plan.memberCount);
  const prefix = demoIdPrefix(plan.seed, plan.memberCount);
  const anchor = Date.parse(DEMO_ANCHOR);
  const out: DemoTicket[] = [];
  for (const m of plan.members) {
    const count = r.chance(0.05) ? (r.chance(0.12) ? 2 : 1) : 0;
    for (let k = 0; k < count; k++) {
      const start = Math.max(Date.parse(m.joinedAt) + HOUR, anchor - 90 * DAY);
      const end = anchor - 2 * HOUR;
      if (start >= end) continue;
      const opened = start + r.next() * (end - start);
      const category = r.weighted<TicketCategory>([["ORDER", 25], ["DELIVERY", 20], ["PRODUCT", 15], ["MEMBERSHIP", 15], ["RETURN_REFUND", 10], ["COMPLAINT", 10], ["OTHER", 5]]);
      const assignee = r.chance(0.88) ? r.weighted<string>([["staff-lin", 35], ["staff-chen", 30], ["staff-wang", 20], ["staff-zhou", 15]]) : undefined;
      const staff = assignee ?? "service-desk";
      const ticket: DemoTicket = {
        ticketId: `${prefix}-tk${String(out.length + 1).padStart(5, "0")}`,
        memberId: m.memberId,
        channel: r.weighted<Channel>([["WECOM", 40], ["MINI_PROGRAM", 35], ["WECHAT_OA", 15], ["STORE", 10]]),
        category,
        priority: category === "COMPLAINT" ? r.weighted<TicketPriority>([["HIGH", 60], ["URGENT", 40]]) : r.weighted<TicketPriority>([["NORMAL", 70], ["HIGH", 15], ["LOW", 15]]),
        subject: r.pick(SUBJECTS[category]),
        assigneeStaffId: assignee,
        openedByMember: r.chance(0.7),
        openedAt: iso(opened),
        steps: [],
      };
      let t = Date.parse(ticket.openedAt);
      const step = (delay: number, s: Omit<DemoTicketStep, "at" | "by">, by = staff) => {
        t += Math.max(MINUTE, Math.round(delay / 1000) * 1000);
        ticket.steps.push({ at: iso(t), by, ...s });
      };
      // First response: usually within hours; about 5% miss the 7-day target.
      const late = r.chance(0.05);
      const replyIn = late ? 168 * HOUR + r.int(1, 72) * HOUR : Math.min(150 * HOUR, 2 * MINUTE + r.exponential(9 * HOUR));
      if (r.chance(0.35)) step(Math.min(replyIn / 3, r.exponential(HOUR)), { kind: "status", status: "IN_PROGRESS" });
      if (r.chance(0.05)) step(replyIn / 3, { kind: "note", message: "已联系门店核实" });
      step(Math.max(MINUTE, replyIn - (t - opened)), { kind: "reply", message: r.pick(REPLIES) });
      const resolve = (rated: number) => {
        step(10 * MINUTE + r.exponential(18 * HOUR), { kind: "status", status: "RESOLVED" });
        if (r.chance(rated)) step(5 * MINUTE + r.exponential(6 * HOUR), { kind: "survey", score: surveyScore(r, late) }, "member");
      };
      if (r.chance(0.92)) {
        resolve(0.65);
        if (r.chance(0.07)) {
          step(r.int(2, 48) * HOUR, { kind: "status", status: "OPEN" }, "member");
          step(r.exponential(4 * HOUR), { kind: "reply", message: r.pick(REPLIES) });
          resolve(0.5);
        }
        if (r.chance(0.6)) step(r.int(24, 96) * HOUR, { kind: "status", status: "CLOSED" });
      }
      // The history stops at the anchor: later steps have not happened yet.
      ticket.steps = ticket.steps.filter((s) => Date.parse(s.at) < anchor);
      out.push(ticket);
    }
  }
  return out;
}

/** Scores aimed at ~65% promoters and ~11% detractors (NPS in the fifties, the seeds' 47 after late replies); a late reply drags them down. */
function surveyScore(r: Random, late: boolean): number {
  if (late) return r.weighted([[9, 15], [8, 20], [7, 20], [6, 20], [4, 15], [2, 10]]);
  return r.weighted([[10, 40], [9, 25], [8, 15], [7, 9], [6, 4], [5, 3], [3, 2], [0, 2]]);
}

/** Survey answers per member: each is also a SURVEY_SCORE event of that member. */
export function demoSurveysByMember(tickets: DemoTicket[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tickets) for (const s of t.steps) if (s.kind === "survey") out.set(t.memberId, (out.get(t.memberId) ?? 0) + 1);
  return out;
}

export interface DemoServiceResult {
  tickets: number;
  surveys: number;
  /** Tickets opened and steps applied by this run (0 when everything was there). */
  opened: number;
  steps: number;
}

/**
 * Writes the demo's tickets into a tenant whose demo members are loaded, each step with the
 * clock at its time. Resumable: a ticket's stored revision says how many of its steps are done.
 */
/** The service desk's agents, as staff members (a ticket's assignee must be one); once. */
export async function ensureDemoServiceStaff(tenantId: string): Promise<void> {
  for (const [i, staffId] of DEMO_SERVICE_STAFF.entries()) {
    if (!(await findStaff(tenantId, staffId))) await createStaff(tenantId, { staffId, name: DEMO_SERVICE_STAFF_NAMES[i]!, role: "SERVICE_AGENT" });
  }
}

export async function loadDemoService(tenantId: string, plan: DemoPlan, concurrency = 8): Promise<DemoServiceResult> {
  await ensureDemoServiceStaff(tenantId);
  const tickets = demoTickets(plan);
  const stored = await getTickets(tenantId, tickets.map((t) => t.ticketId));
  let opened = 0;
  let steps = 0;
  let next = 0;
  const worker = async () => {
    while (next < tickets.length) {
      const i = next++;
      const t = tickets[i]!;
      let revision = stored[i]?.revision ?? 0;
      if (revision === 0) {
        const { steps: _s, openedAt, openedByMember, ...input } = t;
        await openTicket(tenantId, { ...input, openedByMember }, { actor: t.openedByMember ? "member" : t.assigneeStaffId ?? "service-desk" }, new Date(openedAt));
        opened++;
        revision = 1;
      }
      for (const s of t.steps.slice(revision - 1)) {
        const now = new Date(s.at);
        const by = { actor: s.by };
        if (s.kind === "status") await changeTicketStatus(tenantId, { ticketId: t.ticketId, status: s.status! }, by, now);
        else if (s.kind === "reply" || s.kind === "note") await respondToTicket(tenantId, { ticketId: t.ticketId, message: s.message!, internal: s.kind === "note" }, by, now);
        else await submitTicketSurvey(tenantId, { ticketId: t.ticketId, score: s.score! }, by, now);
        steps++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tickets.length)) }, worker));
  const surveys = tickets.reduce((n, t) => n + t.steps.filter((s) => s.kind === "survey").length, 0);
  return { tickets: tickets.length, surveys, opened, steps };
}

/** `npm start`: the default demo's service desk, written once (a cheap check when it is there). */
export async function ensureDemoService(tenantId: string, members: number = DEFAULT_DEMO_MEMBERS, seed: number = DEFAULT_DEMO_SEED): Promise<DemoServiceResult> {
  return loadDemoService(tenantId, generateDemoBrand(seed, members));
}

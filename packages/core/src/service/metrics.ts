import { queryAll } from "../db/query.js";
import { asOfCutoff, parseLocalDate, startOfLocalDay } from "../jobs/periods.js";
import { dayNumberOf } from "../metrics/clv-job/local-days.js";
import { ValidationError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { ticketKeys } from "./keys.js";
import { TICKET_STATUSES, type Ticket, type TicketSurvey } from "./types.js";

/**
 * Service metrics (docs/service.md, "Metrics"), for a period of the brand's local days:
 *
 * - the tickets opened in the period, in their state at the evaluation instant `at` (now on a
 *   request, the end of the as-of day in the KPI job; anything stamped after `at` has not happened);
 * - resolution rate = tickets resolved (RESOLVED or CLOSED after a resolution) ÷ tickets opened;
 * - time to first response and to resolution (ms from opening): median (the middle value, the
 *   mean of the two middle values for an even count) and p90 (nearest rank: the ⌈0.9·n⌉-th
 *   smallest) over the tickets that have one;
 * - SLA breach rate = breached ÷ decided, where decided = answered (the clock stopped) or past
 *   the due time unanswered, and breached = answered after the due time or unanswered past it;
 * - from the survey answers given in the period: NPS = 100 × (promoters 9-10 − detractors 0-6)
 *   ÷ answers (−100..100), CSAT = satisfied (8-10) ÷ answers (0..1).
 *
 * Overall, per ticket channel and per assignee staff id (`null` = unassigned).
 */
export interface TicketFact {
  channel: string;
  assigneeStaffId: string | null;
  createdAt: number;
  dueAt: number;
  /** First response instant and duration; breach as stored with it. */
  firstResponseAt: number | null;
  firstResponseMs: number | null;
  slaBreached: boolean;
  resolvedAt: number | null;
  resolutionMs: number | null;
}

export interface SurveyFact {
  channel: string;
  assigneeStaffId: string | null;
  score: number;
  answeredAt: number;
}

export interface ServiceValues {
  tickets: number;
  resolved: number;
  resolutionRate: number | null;
  responded: number;
  firstResponseMedianMs: number | null;
  firstResponseP90Ms: number | null;
  resolutionMedianMs: number | null;
  resolutionP90Ms: number | null;
  slaDecided: number;
  slaBreached: number;
  slaBreachRate: number | null;
  surveys: number;
  promoters: number;
  detractors: number;
  satisfied: number;
  nps: number | null;
  csat: number | null;
}

export interface ServiceMetrics {
  from: string;
  to: string;
  /** When the state was read (UTC ISO). */
  at: string;
  overall: ServiceValues;
  /** Ticket channels with tickets or answers, sorted. */
  byChannel: ({ channel: string } & ServiceValues)[];
  /** Assignees with tickets or answers, sorted (unassigned last). */
  byAssignee: ({ assigneeStaffId: string | null } & ServiceValues)[];
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : null);

export function ticketFact(t: Pick<Ticket, "channel" | "assigneeStaffId" | "createdAt" | "firstResponseDueAt" | "firstResponseAt" | "firstResponseMs" | "slaBreached" | "resolvedAt" | "resolutionMs">): TicketFact {
  return {
    channel: t.channel,
    assigneeStaffId: t.assigneeStaffId ?? null,
    createdAt: Date.parse(t.createdAt),
    dueAt: Date.parse(t.firstResponseDueAt),
    firstResponseAt: ms(t.firstResponseAt),
    firstResponseMs: t.firstResponseMs ?? null,
    slaBreached: t.slaBreached === true,
    resolvedAt: ms(t.resolvedAt),
    resolutionMs: t.resolutionMs ?? null,
  };
}

export const surveyFact = (s: Pick<TicketSurvey, "channel" | "assigneeStaffId" | "score" | "answeredAt">): SurveyFact => ({
  channel: s.channel,
  assigneeStaffId: s.assigneeStaffId ?? null,
  score: s.score,
  answeredAt: Date.parse(s.answeredAt),
});

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Nearest-rank percentile: the ⌈p·n⌉-th smallest value. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.max(0, Math.ceil(p * v.length) - 1)]!;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

export function serviceValues(tickets: TicketFact[], surveys: SurveyFact[], at: number): ServiceValues {
  const responseTimes: number[] = [];
  const resolutionTimes: number[] = [];
  let decided = 0;
  let breached = 0;
  for (const t of tickets) {
    const answered = t.firstResponseAt !== null && t.firstResponseAt <= at;
    if (answered) {
      responseTimes.push(t.firstResponseMs ?? t.firstResponseAt! - t.createdAt);
      decided++;
      if (t.slaBreached) breached++;
    } else if (at > t.dueAt) {
      decided++;
      breached++;
    }
    if (t.resolvedAt !== null && t.resolvedAt <= at) resolutionTimes.push(t.resolutionMs ?? t.resolvedAt - t.createdAt);
  }
  const promoters = surveys.filter((s) => s.score >= 9).length;
  const detractors = surveys.filter((s) => s.score <= 6).length;
  const satisfied = surveys.filter((s) => s.score >= 8).length;
  return {
    tickets: tickets.length,
    resolved: resolutionTimes.length,
    resolutionRate: ratio(resolutionTimes.length, tickets.length),
    responded: responseTimes.length,
    firstResponseMedianMs: median(responseTimes),
    firstResponseP90Ms: percentile(responseTimes, 0.9),
    resolutionMedianMs: median(resolutionTimes),
    resolutionP90Ms: percentile(resolutionTimes, 0.9),
    slaDecided: decided,
    slaBreached: breached,
    slaBreachRate: ratio(breached, decided),
    surveys: surveys.length,
    promoters,
    detractors,
    satisfied,
    nps: surveys.length === 0 ? null : (100 * (promoters - detractors)) / surveys.length,
    csat: ratio(satisfied, surveys.length),
  };
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string | null, T[]> {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The metrics of tickets opened and answers given in the period, from facts already cut to
 * it; pure, so the KPI job and `serviceMetrics` give the same numbers for the same items.
 */
export function computeServiceMetrics(tickets: TicketFact[], surveys: SurveyFact[], period: { from: string; to: string; at: number }): ServiceMetrics {
  const part = (key: (x: { channel: string; assigneeStaffId: string | null }) => string | null) => {
    const t = groupBy(tickets, key);
    const s = groupBy(surveys, key);
    const names = [...new Set([...t.keys(), ...s.keys()])].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
    return names.map((name) => [name, serviceValues(t.get(name) ?? [], s.get(name) ?? [], period.at)] as const);
  };
  return {
    from: period.from,
    to: period.to,
    at: new Date(period.at).toISOString(),
    overall: serviceValues(tickets, surveys, period.at),
    byChannel: part((x) => x.channel).map(([channel, v]) => ({ channel: channel!, ...v })),
    byAssignee: part((x) => x.assigneeStaffId).map(([assigneeStaffId, v]) => ({ assigneeStaffId, ...v })),
  };
}

/** Longest period `serviceMetrics` reads on a request (a quarter). */
export const MAX_SERVICE_METRICS_DAYS = 92;

/**
 * Service metrics for local days `from`..`to` (at most 92), read by key: the four status lists
 * (gsi2) over the period's creation range and the survey list (gsi1) over its answer range,
 * never a scan. The state is the tickets' as of `now`.
 */
export async function getServiceMetrics(tenantId: string, range: { from: string; to: string }, now = new Date()): Promise<ServiceMetrics> {
  parseLocalDate(range.from, "range.from");
  parseLocalDate(range.to, "range.to");
  if (range.from > range.to) throw new ValidationError("range.from must not be after range.to", "range");
  if (dayNumberOf(range.to) - dayNumberOf(range.from) + 1 > MAX_SERVICE_METRICS_DAYS) {
    throw new ValidationError(`range may cover at most ${MAX_SERVICE_METRICS_DAYS} days`, "range");
  }
  const zone = (await getSettings(tenantId)).timeZone;
  const start = startOfLocalDay(range.from, zone);
  const end = asOfCutoff(range.to, zone);
  // Sort keys are `<instant>#...`: BETWEEN start AND end takes instants in [start, end).
  const [ticketLists, surveys] = await Promise.all([
    Promise.all(TICKET_STATUSES.map((s) => queryAll<Ticket>({ index: "gsi2", pk: ticketKeys.statusList(tenantId, s), skFrom: start, skTo: end }))),
    queryAll<TicketSurvey>({ index: "gsi1", pk: ticketKeys.surveyList(tenantId), skFrom: start, skTo: end }),
  ]);
  return computeServiceMetrics(ticketLists.flat().map(ticketFact), surveys.map(surveyFact), { from: range.from, to: range.to, at: now.getTime() });
}

/**
 * The service values of one staff member's tickets opened in local days `from`..`to` (a staff
 * member's results, up to a year): the assignee lists (gsi3, one per status) over the creation
 * range, never a scan. Surveys are not included (their list is brand-wide).
 */
export async function getAssigneeServiceValues(tenantId: string, staffId: string, range: { from: string; to: string }, now = new Date()): Promise<ServiceValues> {
  const zone = (await getSettings(tenantId)).timeZone;
  const start = startOfLocalDay(range.from, zone);
  const end = asOfCutoff(range.to, zone);
  const lists = await Promise.all(TICKET_STATUSES.map((s) => queryAll<Ticket>({ index: "gsi3", pk: ticketKeys.staffList(tenantId, staffId, s), skFrom: start, skTo: end })));
  return serviceValues(lists.flat().map(ticketFact), [], now.getTime());
}

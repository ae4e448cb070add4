import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { stripKeys } from "../db/keys.js";
import { recordEvent } from "../event/record.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { cleanText } from "../shared/text.js";
import { viewTicket, type TicketView } from "./item.js";
import { ticketKeys } from "./keys.js";
import { getStoredTicket, writeTicket, type Actor } from "./store.js";
import { MAX_MESSAGE, type TicketSurvey } from "./types.js";

export interface TicketSurveyInput {
  ticketId: string;
  /** 0-10: "how likely are you to recommend us", asked after the resolution. */
  score: number;
  comment?: string | null;
}

/** The id of the SURVEY_SCORE event a survey answer is also recorded as (one per ticket resolution). */
export const surveyEventId = (ticketId: string, resolution: number) => `svc.${ticketId}.${resolution}`;

/** Records the answer as the member's SURVEY_SCORE event (idempotent by its id, so it can be repeated). */
async function recordSurveyEvent(tenantId: string, s: TicketSurvey): Promise<void> {
  await recordEvent(tenantId, { eventId: surveyEventId(s.ticketId, s.resolution), memberId: s.memberId, type: "SURVEY_SCORE", channel: s.channel, occurredAt: s.answeredAt, score: s.score });
}

async function findSurvey(tenantId: string, ticketId: string, resolution: number): Promise<TicketSurvey | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: ticketKeys.survey(tenantId, ticketId, resolution), ConsistentRead: true }));
  return out.Item ? (stripKeys(out.Item) as unknown as TicketSurvey) : undefined;
}

/**
 * The member's satisfaction score for the ticket's current resolution: once per resolution
 * (a second answer is CONFLICT; a reopened and re-resolved ticket may be rated again), only
 * while the ticket is RESOLVED or CLOSED (BAD_USER_INPUT before), a whole number 0-10.
 *
 * Written in one transaction with the ticket: the answer (`attribute_not_exists`, listed by
 * answer time for the service NPS and CSAT), the ticket's score and a timeline entry. Then it is
 * recorded as the member's SURVEY_SCORE event (id `svc.<ticket>.<resolution>`), so the brand
 * NPS of the KPI snapshot includes it; a failure there is repaired by the next attempt, which
 * finds the answer and records the event before answering CONFLICT.
 */
export async function submitTicketSurvey(tenantId: string, input: TicketSurveyInput, by: Actor, now = new Date()): Promise<TicketView> {
  if (!Number.isInteger(input.score) || input.score < 0 || input.score > 10) throw new ValidationError("input.score must be a whole number from 0 to 10", "input.score");
  const comment = cleanText(input.comment, "input.comment", MAX_MESSAGE);
  const stored = await getStoredTicket(tenantId, input.ticketId);
  if ((stored.status !== "RESOLVED" && stored.status !== "CLOSED") || stored.resolutions === 0) {
    throw new ValidationError(`ticket ${stored.ticketId} is ${stored.status}: a satisfaction survey comes after its resolution`, "input.ticketId");
  }
  const resolution = stored.resolutions;
  if (stored.surveyedResolution >= resolution) {
    const answered = await findSurvey(tenantId, stored.ticketId, resolution);
    if (answered) await recordSurveyEvent(tenantId, answered);
    throw new ConflictError(`ticket ${stored.ticketId}: its resolution was already rated`, { field: "input.ticketId" });
  }
  const at = now.toISOString();
  const survey: TicketSurvey = { tenantId, ticketId: stored.ticketId, resolution, memberId: stored.memberId, score: input.score, comment, channel: stored.channel, assigneeStaffId: stored.assigneeStaffId, answeredAt: at };
  for (const key of Object.keys(survey) as (keyof TicketSurvey)[]) if (survey[key] === undefined) delete survey[key];
  const next = { ...stored, revision: stored.revision + 1, updatedAt: at, surveyedResolution: resolution, satisfactionScore: input.score };
  const item = { ...ticketKeys.survey(tenantId, stored.ticketId, resolution), gsi1pk: ticketKeys.surveyList(tenantId), gsi1sk: ticketKeys.surveySort(at, stored.ticketId, resolution), ...survey };
  const written = await writeTicket(stored, next, [{ kind: "SURVEY", at, by: by.actor, score: input.score, message: comment }], [
    { Put: { TableName: tableName(), Item: item, ConditionExpression: "attribute_not_exists(pk)" } },
  ]);
  await recordSurveyEvent(tenantId, survey);
  return viewTicket(written, now);
}

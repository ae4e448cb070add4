import { queryAll } from "../db/query.js";
import * as mv from "../member/validate.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { effectiveCampaign, fromCampaignItem } from "./item.js";
import { campaignKeys } from "./keys.js";
import { getStoredCampaign, writeCampaign } from "./store.js";
import { CAMPAIGN_STATUSES, CAMPAIGN_TRANSITIONS, type Campaign, type CampaignStatus } from "./types.js";

/**
 * Moves a campaign along its lifecycle (types.ts CAMPAIGN_TRANSITIONS), from the status
 * readers see. SCHEDULED needs a start in the future; RUNNING starts now (a start in the future
 * is brought forward); ENDED is final. Invalid moves are BAD_USER_INPUT naming the valid ones.
 */
export async function changeCampaignStatus(tenantId: string, campaignId: string, statusInput: string, now = new Date()): Promise<Campaign> {
  const to = mv.oneOf(CAMPAIGN_STATUSES, statusInput, "input.status") as CampaignStatus;
  const stored = await getStoredCampaign(tenantId, campaignId);
  const from = effectiveCampaign(stored, now);
  const allowed = CAMPAIGN_TRANSITIONS[from.status];
  if (!allowed.includes(to)) {
    const valid = allowed.length > 0 ? `it can move to ${allowed.join(" or ")}` : "it cannot change any more";
    throw new ValidationError(`campaign ${campaignId} is ${from.status}: ${valid}, not ${to}`, "input.status");
  }
  const at = now.toISOString();
  const next: Campaign = { ...from, status: to, revision: stored.revision + 1, updatedAt: at };
  switch (to) {
    case "SCHEDULED":
      if (!stored.startAt || Date.parse(stored.startAt) <= now.getTime()) throw new ValidationError("set a startAt in the future before scheduling (or start it now with RUNNING)", "input.status");
      break;
    case "RUNNING":
      if (from.status === "PAUSED") next.pausedAt = undefined;
      else Object.assign(next, { startedAt: at, ...(stored.startAt && Date.parse(stored.startAt) <= now.getTime() ? {} : { startAt: at }) });
      break;
    case "PAUSED":
      next.pausedAt = at;
      break;
    case "ENDED":
      next.endedAt = at;
      break;
    case "DRAFT":
      break;
  }
  return writeCampaign(stored, next);
}

/**
 * The lifecycle task: makes stored statuses follow the schedule (scheduled campaigns whose start
 * has come become RUNNING, live ones whose end has come ENDED), so the status lists stay right.
 * Readers never wait for it: they see the effective status. Reads only the live lists (small).
 */
export async function applyCampaignSchedules(tenantId: string, now = new Date()): Promise<{ started: string[]; ended: string[] }> {
  const started: string[] = [];
  const ended: string[] = [];
  for (const status of ["SCHEDULED", "RUNNING", "PAUSED"] as const) {
    const items = await queryAll<Record<string, unknown>>({ index: "gsi1", pk: campaignKeys.byStatus(tenantId, status) });
    for (const item of items) {
      const stored = fromCampaignItem(item);
      const due = effectiveCampaign(stored, now);
      if (due.status === stored.status) continue;
      try {
        await writeCampaign(stored, { ...due, revision: stored.revision + 1, updatedAt: now.toISOString() });
        (due.status === "ENDED" ? ended : started).push(stored.campaignId);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error; // changed by someone meanwhile: the next run looks again
      }
    }
  }
  return { started, ended };
}

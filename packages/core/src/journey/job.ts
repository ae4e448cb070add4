import { defineJob, type JobContext, type RawParams } from "../jobs/job.js";
import { ValidationError } from "../shared/errors.js";
import { journeySetup, runningJourneys } from "./campaigns.js";
import { JOURNEY_FACT_FIELDS, journeyFacts, occurrenceOf } from "./triggers.js";
import type { JourneyFacts } from "./types.js";
import { writeTouch, type TouchOutcome } from "./write.js";

/**
 * The `journeys` job: every 15 minutes, for each running JOURNEY campaign, the members whose
 * trigger is due get one touch each in the outbox.
 *
 * Why a scan job and not a key-read task: none of the triggers has an index to read by key
 * (birthday, last add-to-cart, last activity, first order and tier change are fields of the
 * member item), and adding one sparse index per trigger would put extra writes on every order
 * and event. One parallel scan of the MEMBER items finds every trigger of every campaign at
 * once; its cost grows with members, not with events.
 *
 * Clock: the run instant `at` (parameter, default the time the run starts), not
 * the as-of day: a journey acts on today's triggers. `at` is part of the parameter key, so each
 * run has its own checkpoints and run record, and a resumed run (same `--at`) writes the same
 * touches. Member items are read as they are at scan time (running fields, not history);
 * consent and segment membership are checked again inside each touch's write.
 *
 * Partial: per member with marketing consent, the facts the triggers read (~200 B). Write:
 * loads the campaigns, evaluates each member against each, writes touches (idempotent by
 * touch id). Memory: members with consent, never orders or events.
 */
export interface JourneysParams {
  /** The run instant, ISO UTC. */
  at: string;
}

export type JourneysPartial = Map<string, JourneyFacts>;

export interface CampaignRun {
  campaignId: string;
  name: string;
  due: number;
  outcomes: Record<TouchOutcome, number>;
  skipped?: string;
}

export interface JourneysSnapshot {
  facts: JourneysPartial;
  /** Filled by `write`. */
  campaigns: CampaignRun[];
}

/** Touches written at once (each a small transaction, plus a cap read when capped). */
const WRITE_CONCURRENCY = 8;

function parseParams(raw: RawParams): JourneysParams {
  const unknown = Object.keys(raw).filter((k) => k !== "at" && raw[k] !== undefined);
  if (unknown.length > 0) throw new ValidationError(`journeys takes only --at (got ${unknown.join(", ")})`, "params");
  if (raw.at === undefined || raw.at === null || raw.at === "") {
    return { at: new Date().toISOString() };
  }
  const ms = typeof raw.at === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw.at) ? Date.parse(raw.at) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ValidationError("at must be an instant like 2026-11-30T08:15:00Z", "at");
  if (ms > Date.now() + 60_000) throw new ValidationError("at is in the future", "at");
  return { at: new Date(ms).toISOString() };
}

/** `20261130T081500123Z`: the run instant in the parameter key (letters and digits only). */
const paramsKey = (p: JourneysParams) => p.at.replace(/[-:.]/g, "");

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function runCampaigns(snapshot: JourneysSnapshot, ctx: JobContext<JourneysParams>): Promise<void> {
  const at = new Date(ctx.params.at);
  const members = [...snapshot.facts.values()].sort((a, b) => a.memberId.localeCompare(b.memberId));
  for (const campaign of await runningJourneys(ctx.tenantId, at)) {
    const run: CampaignRun = { campaignId: campaign.campaignId, name: campaign.name, due: 0, outcomes: { WRITTEN: 0, DUPLICATE: 0, CAPPED: 0, NO_CONSENT: 0, NOT_IN_SEGMENT: 0 } };
    snapshot.campaigns.push(run);
    const setup = await journeySetup(ctx.tenantId, campaign, at);
    if (!setup.content) {
      run.skipped = setup.skipped;
      continue;
    }
    const journey = campaign.config.journey!;
    const due = members.flatMap((member) => {
      const occurrence = occurrenceOf(journey, campaign.timeZone, member, at.getTime());
      return occurrence ? [{ member, occurrence }] : [];
    });
    run.due = due.length;
    await inBatches(due, WRITE_CONCURRENCY, async ({ member, occurrence }) => {
      const outcome = await writeTouch(ctx.tenantId, { campaign, segment: setup.segment, member, occurrence, content: setup.content!, at: ctx.params.at });
      run.outcomes[outcome]++;
    });
  }
}

export const journeysJob = defineJob<JourneysPartial, JourneysSnapshot, JourneysParams>({
  name: "journeys",
  description: "Automated journeys: write a touch to the outbox for each member whose trigger is due in a running JOURNEY campaign (--at: run instant, default now)",
  kinds: ["MEMBER"],
  projection: [...JOURNEY_FACT_FIELDS],
  options: { at: { description: "Run instant, ISO UTC (default now): triggers due by then are acted on" } },
  variants: [{}],
  parseParams,
  paramsKey,
  init: () => new Map(),
  add(partial, item) {
    // Members who may not be messaged never reach the write step (checked again there).
    if (item.status !== "ACTIVE" || item.marketingConsent !== true || typeof item.memberId !== "string") return partial;
    partial.set(item.memberId, journeyFacts(item));
    return partial;
  },
  merge(a, b) {
    const [big, small] = a.size >= b.size ? [a, b] : [b, a];
    for (const [id, f] of small) big.set(id, f);
    return big;
  },
  encode: (partial) => [...partial.values()],
  decode: (encoded) => new Map((encoded as JourneyFacts[]).map((f) => [f.memberId, f])),
  finish: (merged) => ({ facts: merged, campaigns: [] }),
  write: runCampaigns,
  summarize(snapshot, ctx) {
    const parts = snapshot.campaigns.map((c) => {
      if (c.skipped) return `${c.name}: skipped (${c.skipped})`;
      const o = c.outcomes;
      return `${c.name}: ${c.due} due, ${o.WRITTEN} written, ${o.DUPLICATE} already touched, ${o.CAPPED} capped, ${o.NO_CONSENT + o.NOT_IN_SEGMENT} not eligible`;
    });
    return `journeys for ${ctx.tenantId} at ${ctx.params.at}: ${snapshot.facts.size} members with consent, ${snapshot.campaigns.length} running journey(s)${parts.length ? `: ${parts.join("; ")}` : ""}`;
  },
});

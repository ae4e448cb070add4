import { ValidationError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { evaluateRule, evaluationClock, isEligible, type EvaluationClock, type MemberFacts } from "./evaluate.js";
import { loadFactsByQuery } from "./facts.js";
import { ruleNeeds, validateRule } from "./rule.js";
import type { SegmentRule } from "./types.js";

export const MAX_SAMPLE_SIZE = 100;

export interface SegmentPreview {
  rule: SegmentRule;
  /** Live members matching the rule, exactly. */
  count: number;
  /** Live members the rule was evaluated on. */
  evaluated: number;
  /** Up to `sampleSize` matching member ids, newest joined first. */
  sampleIds: string[];
  computedAt: string;
  durationMs: number;
}

/** The live members a rule matches (pure: facts and clock in, facts out). */
export function matchMembers(rule: SegmentRule, facts: readonly MemberFacts[], clock: EvaluationClock): MemberFacts[] {
  return facts.filter((f) => isEligible(f) && evaluateRule(rule, f, clock));
}

/** Newest joined first (then id), the order of the member lists. */
export function newestFirst(facts: readonly MemberFacts[]): MemberFacts[] {
  const key = (f: MemberFacts) => `${f.member.joinedAt}#${f.member.memberId}`;
  return [...facts].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/**
 * Exact count and a sample of the members a rule matches, on a request: reads the brand's
 * member summaries (and only the extra summaries the rule needs), evaluates in memory. Brands
 * above the synchronous limit get a BAD_USER_INPUT telling them to save and refresh by job.
 */
export async function previewSegment(
  tenantId: string,
  ruleInput: unknown,
  options: { sampleSize?: number | null; now?: Date; maxMembers?: number } = {},
): Promise<SegmentPreview> {
  const started = performance.now();
  const rule = validateRule(ruleInput, "rule");
  const sampleSize = options.sampleSize ?? 10;
  if (!Number.isInteger(sampleSize) || sampleSize < 0 || sampleSize > MAX_SAMPLE_SIZE) {
    throw new ValidationError(`sampleSize must be a whole number from 0 to ${MAX_SAMPLE_SIZE}`, "sampleSize");
  }
  const { timeZone } = await getSettings(tenantId);
  const loaded = await loadFactsByQuery(tenantId, ruleNeeds(rule), { maxMembers: options.maxMembers, what: "previewSegment" });
  const matched = matchMembers(rule, loaded.facts, evaluationClock(options.now ?? new Date(), timeZone));
  return {
    rule,
    count: matched.length,
    evaluated: loaded.facts.length,
    sampleIds: newestFirst(matched)
      .slice(0, sampleSize)
      .map((f) => f.member.memberId),
    computedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
}

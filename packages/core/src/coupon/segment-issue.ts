import { getMembers } from "../member/read.js";
import { listSegmentMembers } from "../segment/membership.js";
import { findSegment } from "../segment/store.js";
import type { Segment } from "../segment/types.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { assertIssuable } from "./claim.js";
import { findCouponDefinition, getCouponDefinition } from "./definition.js";
import { issueOne } from "./issue.js";
import { withRetries } from "./retry.js";
import { ISSUE_SYNC_MAX_MEMBERS, type CouponDefinition } from "./types.js";

export interface SegmentIssueResult {
  definitionId: string;
  segmentId: string;
  /** Members of the segment's current membership read. */
  members: number;
  /** Of those, coupons issued by this run. */
  issued: number;
  /** Members a segment issue had already reached (an earlier or concurrent run). */
  alreadyIssued: number;
  /** Members already holding `perMemberLimit` (by claims). */
  limitReached: number;
  /** Members without marketing consent, or no longer active: never issued. */
  skipped: number;
  /** True when the quantity ran out before every member was reached. */
  soldOut: boolean;
}

export interface SegmentIssueOptions {
  /** Refuse segments larger than this (the request path: ISSUE_SYNC_MAX_MEMBERS). */
  maxMembers?: number;
  /** Transactions in flight. */
  concurrency?: number;
  onProgress?: (r: SegmentIssueResult) => void;
}

const PAGE = 100;

async function targetSegment(tenantId: string, segmentId: string | undefined, definitionId: string): Promise<Segment> {
  if (!segmentId) throw new ValidationError(`the campaign of coupon ${definitionId} has no target segment to issue to`, "input.definitionId");
  const segment = await findSegment(tenantId, segmentId);
  if (!segment) throw new NotFoundError("Segment", segmentId);
  if (segment.status !== "ACTIVE") throw new ConflictError(`segment ${segmentId} is archived`);
  if (!segment.currentVersion) throw new ConflictError(`segment ${segmentId} has not been materialised yet: refresh it first (refreshSegment or the segments job)`);
  return segment;
}

/**
 * Issues one coupon of a definition to every member of its campaign's target segment (the
 * current materialised membership) who has marketing consent, while the quantity lasts.
 * Idempotent per (definition, member): a rerun, or two runs at once, issue no extra coupon (the
 * member's claim counter records the segment issue in the same transaction as the coupon). The
 * per-member limit counts claims too. Usable from a request (bounded by `maxMembers`) and from the
 * CLI (`npm run coupons -- issue`), which passes no bound. A refresh of the segment during a run
 * restarts the walk on the new membership; members already reached are skipped.
 */
export async function issueCouponsToSegment(tenantId: string, definitionId: string, options: SegmentIssueOptions = {}, now = () => new Date()): Promise<SegmentIssueResult> {
  let d: CouponDefinition = await getCouponDefinition(tenantId, definitionId, true);
  const campaign = await assertIssuable(d, now());
  let segment = await targetSegment(tenantId, campaign.targetSegmentId, definitionId);
  if (options.maxMembers !== undefined && (segment.size ?? 0) > options.maxMembers) {
    throw new ValidationError(
      `segment ${segment.segmentId} has ${(segment.size ?? 0).toLocaleString("en-US")} members; a request issues to at most ${options.maxMembers.toLocaleString("en-US")}: ` +
        `run npm run coupons -- issue --tenant <tenant> --definition ${definitionId}`,
      "input.definitionId",
    );
  }
  const result: SegmentIssueResult = { definitionId, segmentId: segment.segmentId, members: 0, issued: 0, alreadyIssued: 0, limitReached: 0, skipped: 0, soldOut: false };
  const seen = new Set<string>();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let after: string | null | undefined;
  for (let restarts = 0; !result.soldOut; ) {
    let page;
    try {
      page = await listSegmentMembers(tenantId, segment, { first: PAGE, after });
    } catch (error) {
      // The segment was refreshed meanwhile: walk the new membership (issuing is idempotent).
      if (!(error instanceof ValidationError) || error.details?.field !== "after" || ++restarts > 3) throw error;
      segment = await targetSegment(tenantId, campaign.targetSegmentId, definitionId);
      after = undefined;
      continue;
    }
    const ids = page.items.map((m) => m.memberId).filter((id) => !seen.has(id));
    ids.forEach((id) => seen.add(id));
    const members = await getMembers(tenantId, ids);
    result.members += ids.length;
    const eligible = members.filter((m) => m && m.status === "ACTIVE" && m.marketingConsent).map((m) => m!.memberId);
    result.skipped += ids.length - eligible.length;
    let next = 0;
    const worker = async () => {
      while (next < eligible.length && !result.soldOut) {
        const memberId = eligible[next++]!;
        for (;;) {
          // Safe to retry: a timed-out attempt that did commit answers ALREADY_ISSUED.
          const outcome = await withRetries(() => issueOne(d, memberId, "SEGMENT", undefined, now()));
          if (outcome.kind === "CHANGED") {
            const again = await findCouponDefinition(tenantId, definitionId, true);
            if (!again) throw new NotFoundError("CouponDefinition", definitionId);
            d = again;
            continue;
          }
          if (outcome.kind === "ISSUED") result.issued++;
          else if (outcome.kind === "ALREADY_ISSUED") result.alreadyIssued++;
          else if (outcome.kind === "LIMIT_REACHED") result.limitReached++;
          else if (outcome.kind === "SOLD_OUT") result.soldOut = true;
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    options.onProgress?.({ ...result });
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  return result;
}

export { ISSUE_SYNC_MAX_MEMBERS };

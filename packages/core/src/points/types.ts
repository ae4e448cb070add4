export const POINTS_ENTRY_TYPES = ["EARN", "REVERSE", "REDEEM", "ADJUST", "EXPIRE", "MERGE_IN", "MERGE_OUT", "REFERRAL"] as const;
export type PointsEntryType = (typeof POINTS_ENTRY_TYPES)[number];

/** One line of the append-only points ledger. `points` is signed: credits > 0, debits < 0. */
export interface PointsEntry {
  tenantId: string;
  memberId: string;
  entryId: string;
  type: PointsEntryType;
  points: number;
  reason?: string;
  orderId?: string;
  refundId?: string;
  relatedMemberId?: string;
  /** The campaign behind the entry: a referral reward, or the multiplier of an EARN. */
  campaignId?: string;
  actor: string;
  createdAt: string;
}

/** Largest single points movement accepted from a client. */
export const MAX_POINTS_PER_ENTRY = 10_000_000;

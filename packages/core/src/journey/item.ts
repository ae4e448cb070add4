import { keys, stripKeys } from "../db/keys.js";
import { journeyKeys } from "./keys.js";
import type { Touch } from "./types.js";

/** A touch as stored: its own key plus the member's, the status and the campaign-status lists. */
export const touchItem = (x: Touch) => ({
  ...journeyKeys.touch(x.tenantId, x.touchId),
  ...touchIndexKeys(x),
  ...x,
});

/** The index keys that follow the status (rewritten by every status change). */
export const touchIndexKeys = (x: Pick<Touch, "tenantId" | "touchId" | "campaignId" | "memberId" | "status" | "createdAt">) => ({
  gsi1pk: keys.memberPartition(x.tenantId, x.memberId),
  gsi1sk: journeyKeys.memberSort(x.createdAt, x.touchId),
  gsi2pk: journeyKeys.byStatus(x.tenantId, x.status),
  gsi2sk: journeyKeys.listSort(x.createdAt, x.touchId),
  gsi3pk: journeyKeys.byCampaign(x.tenantId, x.campaignId, x.status),
  gsi3sk: journeyKeys.listSort(x.createdAt, x.touchId),
});

export const fromTouchItem = (item: Record<string, unknown>) => stripKeys(item) as unknown as Touch;

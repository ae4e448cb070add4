/** Test support for coupons (imported by tests only): running campaigns, members in bulk, outcome codes. */
import { changeCampaignStatus, createCampaign, type CreateCampaignInput } from "../campaign/index.js";
import { createMember, type CreateMemberInput } from "../member/create.js";
import { recordOrder } from "../order/record.js";
import type { OrderInput } from "../order/validate.js";
import { actor } from "../test/tenant.js";
import { createPartner, invitePartnerToCampaign } from "../partner/index.js";

/** What a call ended with: "OK", or the DomainError code (with its reason or field when it has one). */
export const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: { code?: string; details?: { reason?: string; field?: string } }) => (e.code ? [e.code, e.details?.reason ?? e.details?.field].filter(Boolean).join(":") : String(e)),
  );

/** A running COUPON campaign; `partnerIds` are created as partners and invited (the only way partners join). */
export async function runningCampaign(tenantId: string, input: Partial<CreateCampaignInput> & { partnerIds?: string[] } = {}): Promise<string> {
  const { partnerIds = [], ...rest } = input;
  const c = await createCampaign(tenantId, { name: "Coupons", type: "COUPON", ...rest }, actor);
  for (const partnerId of partnerIds) {
    await createPartner(tenantId, { id: partnerId, name: partnerId }, actor);
    await invitePartnerToCampaign(tenantId, c.campaignId, partnerId);
  }
  await changeCampaignStatus(tenantId, c.campaignId, "RUNNING");
  return c.campaignId;
}

/** `n` members created `parallel` at a time, with marketing consent unless told otherwise. */
export async function members(tenantId: string, n: number, input: Partial<CreateMemberInput> = {}, parallel = 20): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      ids[i] = (await createMember(tenantId, { name: `Member ${i}`, sourceChannel: "MINI_PROGRAM", marketingConsent: true, ...input }, actor)).memberId;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}

let orders = 0;
export async function order(tenantId: string, memberId: string, input: Partial<OrderInput> = {}): Promise<string> {
  const orderId = `o-${++orders}-${Math.random().toString(36).slice(2, 8)}`;
  await recordOrder(tenantId, { orderId, memberId, channel: "MINI_PROGRAM", amount: 100, occurredAt: new Date(Date.now() - 60_000).toISOString(), ...input }, actor);
  return orderId;
}

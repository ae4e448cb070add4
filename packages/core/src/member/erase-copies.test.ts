import { describe, expect, it } from "vitest";
import { changeCampaignStatus, createCampaign } from "../campaign/index.js";
import { changeContentStatus } from "../content/status.js";
import { createContent } from "../content/store.js";
import { batchPut } from "../db/batch.js";
import { keys } from "../db/keys.js";
import { claimCoupon, createCouponDefinition, findCoupon } from "../coupon/index.js";
import { recordEvent } from "../event/record.js";
import { runJob } from "../jobs/run.js";
import { journeysJob } from "../journey/job.js";
import { listMemberTouches } from "../journey/outbox.js";
import { getClvSnapshot, writeClvRun, type ClvRun } from "../metrics/clv-job/index.js";
import { recordOrder } from "../order/record.js";
import { findInviteCode, findReferral, inviteCode, recordReferral } from "../referral/index.js";
import { refreshSegment } from "../segment/refresh.js";
import { createSegment } from "../segment/store.js";
import { openTicket, respondToTicket, getTicket } from "../service/index.js";
import { actor, newTenantId } from "../test/tenant.js";
import { itemsContaining, scanTenant } from "../test/scan.js";
import { createMember, eraseMember, eraseMemberWithCopies, getMember, memberByIdentity, memberByKey, mergeMembers } from "./index.js";

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** What an item is, for the list of what erasure keeps: its sort key's kind (ids cut off). */
const kindOf = (item: Record<string, unknown>) => String(item.sk).split("#")[0]!.replace(/^\d{4}-.*/, "<dated>");

describe("erasure reaches every derived copy", () => {
  it("leaves no item with the member's personal data, and the id only in pseudonymous records and counters", async () => {
    const t = newTenantId("erase");
    const now = Date.now();
    await createContent(t, { id: "hello", title: "Hello", format: "ARTICLE", pyramidType: "INFO", body: "Welcome aboard" }, actor);
    await changeContentStatus(t, "hello", { status: "PUBLISHED" });
    await createCampaign(t, { id: "welcome", name: "welcome", type: "JOURNEY", config: { journey: { contentId: "hello", channel: "WECOM", trigger: "JOINED" } }, frequencyCap: { maxTouches: 3, periodDays: 7 } } as never, actor);
    await changeCampaignStatus(t, "welcome", "RUNNING");
    await createCampaign(t, { id: "fission", name: "Invite friends", type: "REFERRAL", config: { referral: { inviteeFirstOrderPoints: 100, referrerPoints: 200, ladder: [] } } }, actor);
    await changeCampaignStatus(t, "fission", "RUNNING");
    await createCampaign(t, { id: "coupons", name: "Coupons", type: "COUPON" }, actor);
    await changeCampaignStatus(t, "coupons", "RUNNING");
    await createCouponDefinition(t, { id: "d1", campaignId: "coupons", name: "5 off", amountOff: 5, totalQuantity: 10, redeemableAt: ["ONLINE"] }, actor);

    const bob = await createMember(t, { memberId: "bob", sourceChannel: "APP", name: "Bob Referrer", marketingConsent: true, joinedAt: iso(now - 40 * 24 * H) }, actor);
    const ann = await createMember(
      t,
      { memberId: "ann-7f3k", sourceChannel: "WECOM", name: "Ann Erasable", phone: "13812340001", email: "ann.erasable@example.com", birthday: "1991-02-03", city: "Hangzhou", customerNo: "CUST-ANN-1", tags: ["vip"], marketingConsent: true, identities: [{ channel: "WECOM", externalId: "wx-ann-openid" }], joinedAt: iso(now - H) },
      actor,
    );
    const dup = await createMember(t, { memberId: "dup-9q2z", sourceChannel: "STORE", name: "Ann Duplicate", phone: "13812340002", email: "ann.dup@example.com", identities: [{ channel: "STORE", externalId: "card-ann-2" }] }, actor);

    // Referral: Ann joined through Bob's code and has a code of her own.
    const bobCode = (await inviteCode(t, "fission", bob.memberId)).invite.code;
    await recordReferral(t, { code: bobCode, inviteeId: ann.memberId });
    const annCode = (await inviteCode(t, "fission", ann.memberId)).invite.code;
    // An order, an engagement naming content and campaign (reach marker, funnel), a coupon.
    await recordOrder(t, { orderId: "o-ann-1", memberId: ann.memberId, channel: "APP", amount: 88, occurredAt: iso(now - H / 2) }, actor);
    await recordEvent(t, { eventId: "e-ann-1", memberId: ann.memberId, type: "VIEW", channel: "WECOM", contentId: "hello", campaignId: "welcome", occurredAt: iso(now - H / 4) });
    const coupon = (await claimCoupon(t, { definitionId: "d1", memberId: ann.memberId, requestId: "claim-ann" })).coupon;
    // A segment with her in it, a welcome touch in the outbox, and her at the top of a CLV snapshot.
    const seg = await createSegment(t, { name: "VIP", rule: { condition: { field: "HAS_TAG", op: "ANY_OF", values: ["vip"] } } }, actor);
    await refreshSegment(t, seg.segmentId);
    await runJob(journeysJob, { tenantId: t, params: { at: iso(now) }, segments: 1, workers: 1, fresh: true });
    expect((await listMemberTouches(t, ann.memberId, {})).items.length).toBe(1);
    const top = (memberId: string, predictedClvMinor: number) => ({ memberId, predictedClvMinor, expectedPurchases: 1, pAlive: 0.9 });
    await writeClvRun({ snapshot: { tenantId: t, asOf: "2026-01-31", paramsKey: "custom", computedAt: iso(now), members: 3, customers: 2, top: [top(ann.memberId, 900), top(bob.memberId, 100)] }, members: [] } as unknown as ClvRun);
    // Her duplicate is merged into her: it keeps its own profile until she is erased.
    await mergeMembers(t, ann.memberId, dup.memberId, actor);
    expect((await getMember(t, ann.memberId)).mergedFrom).toEqual([dup.memberId]);

    // A service ticket in her own words, with a reply naming her.
    const ticket = await openTicket(t, { memberId: ann.memberId, channel: "WECOM", category: "DELIVERY", subject: "Parcel to 12 Secret Lane", description: "Leave it with the guard at 12 Secret Lane" }, actor);
    await respondToTicket(t, { ticketId: ticket.ticketId, message: "Dear Ann Erasable, it is on its way" }, actor);

    const before = await scanTenant(t);
    const { member, copies } = await eraseMemberWithCopies(t, ann.memberId, { actor: "dpo", reason: "PIPL request" });
    expect(member.status).toBe("ERASED");
    expect(copies).toEqual({
      segmentMemberships: 1,
      outboxTouches: 1,
      frequencyCaps: 1,
      reachMarkers: 1,
      campaignFunnels: 2, // the journey (her VIEW) and the coupon campaign (her claim)
      couponClaims: 1,
      inviteCodes: 1,
      couponsAnonymised: 1,
      referralsAnonymised: 1,
      clvSnapshots: 1,
      ticketsAnonymised: 1,
    });

    const items = await scanTenant(t);
    // No personal data anywhere: profile, contact (any spelling), identities, customer number, her invite code.
    const personal = ["Secret Lane", "Ann Erasable", "Ann Duplicate", "ann.erasable@", "ann.dup@", "13812340001", "13812340002", "1991-02-03", "Hangzhou", "CUST-ANN-1", "wx-ann-openid", "card-ann-2", annCode];
    expect(itemsContaining(items, personal)).toEqual([]);
    // Her id (and her duplicate's) remains only in these pseudonymous records and counters.
    const withId = items.filter((i) => JSON.stringify(i).includes(ann.memberId) || JSON.stringify(i).includes(dup.memberId));
    expect([...new Set(withId.map(kindOf))].sort()).toEqual(["<dated>", "ACTIVITY", "CONSENT", "EVENT", "MEMBER", "ORDER", "POINTS", "REFERRAL", "REQ", "TICKET"].sort()); // TICKET: status and times for the service metrics, no text
    // <dated>: the audit entries (erase, merge). REQ: the coupon claim's idempotency record (7-day TTL).
    expect(withId.filter((i) => kindOf(i) === "<dated>").map((i) => i.action).sort()).toEqual(["MEMBERS_MERGED", "MEMBER_ERASED"]);
    expect(withId.filter((i) => kindOf(i) === "REQ").every((i) => typeof i.expiresAt === "number")).toBe(true);
    expect(withId.filter((i) => kindOf(i) === "MEMBER").map((i) => [i.memberId, i.status, i.name ?? null, i.phone ?? null, i.email ?? null]).sort()).toEqual([
      ["ann-7f3k", "ERASED", null, null, null],
      ["dup-9q2z", "MERGED", null, null, null],
    ]);

    // Counts are kept, the person is dropped.
    expect(await findInviteCode(t, annCode)).toBeUndefined();
    expect(await findReferral(t, ann.memberId)).toMatchObject({ referrerId: bob.memberId, status: "CONVERTED", inviteeErased: true });
    expect((await findReferral(t, ann.memberId))?.code).toBeUndefined();
    expect(await findCoupon(t, coupon.code)).toMatchObject({ code: coupon.code, status: "ISSUED", memberErased: true });
    expect((await findCoupon(t, coupon.code))?.memberId).toBeUndefined();
    expect((await getClvSnapshot(t, "2026-01-31"))?.top.map((e) => e.memberId)).toEqual([bob.memberId]);
    expect(await memberByKey(t, "PHONE", "+8613812340002")).toBeUndefined();
    // The ticket stays for the service metrics (status, times), without her words.
    expect(await getTicket(t, ticket.ticketId)).toMatchObject({ subject: "[erased]", status: "OPEN", memberErased: true });
    expect((await getTicket(t, ticket.ticketId)).description).toBeUndefined();
    expect(await memberByIdentity(t, "STORE", "card-ann-2")).toBeUndefined();

    // Erasing again finds nothing more to do.
    const again = await eraseMemberWithCopies(t, ann.memberId, { actor: "dpo" });
    expect(Object.values(again.copies).every((n) => n === 0)).toBe(true);
    // A crash after the profile step leaves copies behind: erasing again removes them.
    const membership = before.find((i) => i.sk === `M#${ann.memberId}`)!;
    await batchPut([membership, { pk: keys.memberPartition(t, ann.memberId), sk: "CREACH#hello", tenantId: t, memberId: ann.memberId, contentId: "hello" }]);
    const resumed = await eraseMemberWithCopies(t, ann.memberId, { actor: "dpo" });
    expect(resumed.copies).toMatchObject({ segmentMemberships: 1, reachMarkers: 1, outboxTouches: 0 });
    expect((await scanTenant(t)).filter((i) => i.sk === "CREACH#hello" || i.sk === membership.sk)).toEqual([]);
    expect(await eraseMember(t, ann.memberId, { actor: "dpo" })).toMatchObject({ status: "ERASED" });
    await expect(eraseMember(t, dup.memberId, { actor: "dpo" })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

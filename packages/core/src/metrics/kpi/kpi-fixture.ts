import { DateTime } from "luxon";
import { recordEvent } from "../../event/record.js";
import { createMember } from "../../member/create.js";
import { eraseMember } from "../../member/erase.js";
import { mergeMembers } from "../../member/merge.js";
import { recordOrder } from "../../order/record.js";
import { recordRefund } from "../../order/refund.js";
import { recordMarketingSpend } from "../../spend/record.js";
import { actor } from "../../test/tenant.js";

/**
 * The hand-computed KPI fixture (kpi.test.ts asserts every number; the arithmetic is there).
 * As of D = 2025-06-30 in Asia/Shanghai: 30-day window 06-01..06-30, previous 05-02..05-31,
 * 7-day 06-24..06-30. Times below are Shanghai wall clock.
 */
export const KPI_AS_OF = "2025-06-30";
const ZONE = "Asia/Shanghai";
export const sh = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;

/** Items the job reads: 7 members, 8 orders, 3 refunds, 6 events, 4 spend entries. */
export const KPI_FIXTURE_ITEMS = 28;

export async function loadKpiFixture(tenantId: string): Promise<void> {
  const member = (memberId: string, sourceChannel: string, joined: string, extra: Record<string, string> = {}) =>
    createMember(tenantId, { memberId, sourceChannel, joinedAt: sh(joined), ...extra }, actor);
  const order = (orderId: string, memberId: string, channel: string, amount: number, at: string, campaignId?: string) =>
    recordOrder(tenantId, { orderId, memberId, channel, amount, occurredAt: sh(at), campaignId }, actor);
  const event = (eventId: string, memberId: string, type: string, at: string, score?: number) =>
    recordEvent(tenantId, { eventId, memberId, type, channel: "MINI_PROGRAM", occurredAt: sh(at), score });

  // m1: complete profile (6 fields); orders in the previous window, the window and at 23:59:59 on D.
  await member("m1", "WECHAT_OA", "2025-04-10T10:00:00", { name: "Li Na", phone: "+8613800000001", email: "li@example.com", gender: "FEMALE", birthday: "1990-05-01", city: "上海" });
  // m2 and m3 were referred by m1 in the 30-day window; m3 joins at 00:00:00 on D (06-29T16:00Z in UTC).
  await member("m2", "WECHAT_OA", "2025-06-25T09:00:00", { name: "Wang", phone: "+8613800000002", referrerId: "m1" });
  await member("m3", "MINI_PROGRAM", "2025-06-30T00:00:00", { name: "Zhang", gender: "MALE", referrerId: "m1" });
  // m4: only a click in the previous window (and an old survey), then erased.
  await member("m4", "MINI_PROGRAM", "2025-03-01T12:00:00", { name: "Zhao" });
  // m5 is a duplicate of m6: its order and refund come before the merge.
  await member("m5", "MINI_PROGRAM", "2025-05-01T12:00:00");
  await member("m6", "STORE", "2025-02-01T12:00:00", { name: "Chen", phone: "+8613800000006", city: "杭州", gender: "FEMALE" });
  // m7 joins at 00:00:00 the day after D: left out with its order.
  await member("m7", "WECOM", "2025-07-01T00:00:00");

  await order("o1", "m1", "WEB", 100, "2025-05-10T12:00:00");
  await order("o2", "m1", "MINI_PROGRAM", 50, "2025-06-15T12:00:00");
  await order("o3", "m1", "WECHAT_OA", 30, "2025-06-30T23:59:59", "cp1");
  await order("o4", "m2", "APP", 80, "2025-07-01T00:00:00"); // at the cutoff: after D
  await order("o5", "m3", "MINI_PROGRAM", 40, "2025-06-30T10:00:00", "cp1");
  await order("o6", "m5", "LIVE", 60, "2025-05-05T12:00:00");
  await order("o7", "m6", "APP", 25.5, "2025-06-01T00:00:00", "cp2"); // first second of the window
  await order("o8", "m7", "APP", 10, "2025-07-01T10:00:00");

  await recordRefund(tenantId, { refundId: "r1", orderId: "o1", amount: 20, occurredAt: sh("2025-05-12T12:00:00") }, actor);
  await recordRefund(tenantId, { refundId: "r2", orderId: "o6", amount: 10, occurredAt: sh("2025-05-06T12:00:00") }, actor); // under m5
  await recordRefund(tenantId, { refundId: "r3", orderId: "o2", amount: 5, occurredAt: sh("2025-07-02T12:00:00") }, actor); // after D

  await event("e1", "m1", "SURVEY_SCORE", "2025-06-20T12:00:00", 10);
  await event("e2", "m2", "VIEW", "2025-06-30T00:00:00");
  await event("e3", "m2", "SURVEY_SCORE", "2025-06-26T12:00:00", 6);
  await event("e4", "m4", "CLICK", "2025-05-20T12:00:00");
  await event("e5", "m4", "SURVEY_SCORE", "2025-03-05T12:00:00", 8);
  await event("e6", "m6", "SURVEY_SCORE", "2025-05-31T23:59:00", 9); // last minute of the previous window

  await recordMarketingSpend(tenantId, { spendId: "s1", channel: "WECHAT_OA", campaignId: "cp1", date: "2025-06-10", amount: 100 });
  await recordMarketingSpend(tenantId, { spendId: "s2", channel: "MINI_PROGRAM", campaignId: "cp1", date: "2025-06-20", amount: 300 });
  await recordMarketingSpend(tenantId, { spendId: "s3", channel: "WECHAT_OA", date: "2025-05-15", amount: 50 });
  await recordMarketingSpend(tenantId, { spendId: "s4", channel: "STORE", date: "2025-07-01", amount: 999 }); // after D

  await mergeMembers(tenantId, "m6", "m5", actor);
  await eraseMember(tenantId, "m4", actor);
}

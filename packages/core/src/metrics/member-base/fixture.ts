import { DateTime } from "luxon";
import { batchPut } from "../../db/batch.js";
import { recordEvent } from "../../event/record.js";
import { createMember } from "../../member/create.js";
import { eraseMember } from "../../member/erase.js";
import { mergeMembers } from "../../member/merge.js";
import { recordOrder } from "../../order/record.js";
import { referralItem } from "../../referral/item.js";
import { actor } from "../../test/tenant.js";
import { clvKeys } from "../clv-job/keys.js";
import { reportNonMemberSales } from "./sales.js";

/**
 * The hand-computed member-base fixture (member-base.test.ts asserts every number; the table of
 * member facts is there). As of D = 2025-06-30 in Asia/Shanghai; times below are Shanghai wall
 * clock. CLV and referral items are written as the CLV job and recordReferral write them.
 */
export const BASE_AS_OF = "2025-06-30";
const ZONE = "Asia/Shanghai";
export const sh = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;

/** Items the job reads: 8 members, 9 orders, 4 events, 5 CLV items, 3 referrals, 5 non-member sales entries. */
export const BASE_FIXTURE_ITEMS = 34;

export async function loadBaseFixture(tenantId: string): Promise<void> {
  const member = (memberId: string, sourceChannel: string, joined: string, extra: Record<string, unknown> = {}) =>
    createMember(tenantId, { memberId, sourceChannel, joinedAt: sh(joined), ...extra }, actor);
  const order = (orderId: string, memberId: string, amount: number, at: string) => recordOrder(tenantId, { orderId, memberId, channel: "MINI_PROGRAM", amount, occurredAt: sh(at) }, actor);
  const event = (eventId: string, memberId: string, type: string, at: string) => recordEvent(tenantId, { eventId, memberId, type, channel: "MINI_PROGRAM", occurredAt: sh(at) });

  // a1: 35 on D exactly (born 1990-06-30), "上海市" → 上海.
  await member("a1", "WECHAT_OA", "2025-01-15T10:00:00", { gender: "FEMALE", birthday: "1990-06-30", city: "上海市", tier: "LOYAL", tags: ["宝妈", "VIP"] });
  // a2 joins in the last second of D; 18 only on 07-01; a Latin city name.
  await member("a2", "WECHAT_OA", "2025-06-30T23:59:59", { gender: "MALE", birthday: "2007-07-01", city: "Hangzhou", tier: "SILENT", tags: ["VIP"] });
  // a3 joins 10 minutes into 06-01 (05-31 16:10 UTC): cohort 2025-06, join day 06-01.
  await member("a3", "MINI_PROGRAM", "2025-06-01T00:10:00", { gender: "FEMALE", birthday: "2001-01-01", city: "成都", tier: "ACTIVE" });
  // a4 joins 5 minutes into 2025 (2024-12-31 16:05 UTC): cohort 2025-01; a city not in the table.
  await member("a4", "STORE", "2025-01-01T00:05:00", { city: "Springfield", tier: "CORE", tags: ["VIP"] });
  await member("a5", "STORE", "2025-03-10T12:00:00", { gender: "OTHER", birthday: "1970-02-28", tier: "ACTIVE", tags: ["宝妈"] });
  // a6 is erased after its order: no gender, birthday, city or tags left; tier, channel, join and order stay.
  await member("a6", "APP", "2025-02-01T12:00:00", { gender: "FEMALE", birthday: "1985-12-01", city: "北京", tier: "ACTIVE", tags: ["VIP"] });
  // a7 is a duplicate of a1 (its order moves to a1); a8 joins at 00:00:00 the day after D.
  await member("a7", "APP", "2025-04-01T12:00:00", { gender: "MALE" });
  await member("a8", "WECOM", "2025-07-01T00:00:00", { gender: "MALE" });

  await order("o1", "a1", 100, "2025-02-01T12:00:00");
  await order("o2", "a1", 50, "2025-06-15T12:00:00");
  await order("o3", "a7", 30, "2025-04-05T12:00:00"); // moves to a1
  await order("o4", "a2", 80, "2025-07-01T00:00:00"); // at the cutoff: after D
  await order("o5", "a3", 40, "2025-06-01T00:20:00"); // first day of the 30-day window
  await order("o6", "a3", 60, "2025-06-20T12:00:00");
  await order("o7", "a4", 25.5, "2025-05-20T12:00:00");
  await order("o8", "a6", 200, "2025-06-05T12:00:00");
  await order("o9", "a8", 10, "2025-07-01T10:00:00");

  await event("e1", "a2", "VIEW", "2025-06-30T23:59:59");
  await event("e2", "a4", "VIEW", "2025-05-31T23:59:59"); // the last second before the 30-day window
  await event("e3", "a5", "CLICK", "2025-06-10T12:00:00");
  await event("e4", "a8", "VIEW", "2025-07-01T09:00:00");

  const clv = (memberId: string, predictedClvMinor: number, asOf: string) => ({ ...clvKeys.member(tenantId, memberId), tenantId, memberId, asOf, computedAt: "2025-07-01T00:00:00.000Z", paramsKey: "WEEK.12.0.01", historicalClvMinor: 0, predictedClvMinor });
  await batchPut([clv("a1", 12_345.6, "2025-06-30"), clv("a3", 5000.4, "2025-06-30"), clv("a4", 100, "2025-06-29"), clv("a6", 800, "2025-06-30"), clv("a8", 999, "2025-06-30")]);
  const referral = (inviteeId: string, campaignId: string, referredAt: string) =>
    referralItem({ tenantId, campaignId, referrerId: "a1", inviteeId, code: `code-${inviteeId}`, status: "JOINED", referredAt: sh(referredAt) });
  await batchPut([referral("a2", "cp-ref", "2025-07-01T00:00:05"), referral("a3", "cp-ref", "2025-06-01T00:11:00"), referral("a4", "cp-other", "2025-01-01T00:06:00")]);

  await reportNonMemberSales(tenantId, { date: "2025-06-15", channel: "WEB", amount: 250 });
  await reportNonMemberSales(tenantId, { date: "2025-06-15", channel: "WEB", amount: 300 }); // replaces 250
  await reportNonMemberSales(tenantId, { date: "2025-06-30", channel: "STORE", amount: 500 });
  await reportNonMemberSales(tenantId, { date: "2025-06-30", amount: 100, note: "till without channel" });
  await reportNonMemberSales(tenantId, { date: "2025-06-01", amount: 0 });
  await reportNonMemberSales(tenantId, { date: "2025-07-01", channel: "STORE", amount: 999 }); // after D

  await mergeMembers(tenantId, "a1", "a7", actor);
  await eraseMember(tenantId, "a6", actor);
}

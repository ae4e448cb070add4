export * from "./types.js";
export { findInviteCode, inviteCode, INVITE_CODE_LENGTH, normalizeCode } from "./code.js";
export { findReferral } from "./item.js";
export { recordReferral, type RecordReferralInput } from "./record.js";
export { planReferralRewards, REFERRAL_REWARD_ITEMS, type ReferralRewards } from "./rewards.js";
export { referralStats } from "./stats.js";
export { listReferralsOf } from "./list.js";

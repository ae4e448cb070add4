export * from "./types.js";
export { assertPartnerId, partnerKeys } from "./keys.js";
export { createPartner, findPartner, getPartner, listPartners, setPartnerStatus, type CreatePartnerInput } from "./store.js";
export { createPartnerKey, listPartnerKeys, looksLikePartnerKey, revokePartnerKey, verifyPartnerKey } from "./apikeys.js";
export { getJointCampaign, invitePartnerToCampaign, listJointCampaigns, removePartnerFromCampaign } from "./joint.js";
export { suppress, suppressedRate, type Suppressed } from "./suppress.js";
export { redeemJointCoupon, type JointRedemption, type JointRedemptionInput } from "./redeem.js";
export { partnerReferralCounts, recordJointReferral, type JointReferral } from "./referral.js";

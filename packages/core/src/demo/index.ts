export * from "./generate.js";
export * from "./load.js";
export { BRAND as DEMO_BRAND, DEMO_ANCHOR, DEMO_START } from "./catalog.js";
export { Random } from "./random.js";
export { demoSpend, ensureDemoSpend, writeDemoSpend } from "./spend.js";
export { DEMO_COUPON_ID, DEMO_PARTNER_ID, DEMO_REFERRAL_CAMPAIGN_ID, issueDemoCoupons, rotateDemoPartnerKey } from "./campaigns.js";
export { DEMO_REFERRAL_CHAIN, loadDemoReferrals } from "./referrals.js";
export { demoNonMemberSales, ensureDemoNonMemberSales } from "./nonmember-sales.js";
export { DEMO_SERVICE_STAFF, demoTickets, ensureDemoService, loadDemoService, type DemoTicket, type DemoServiceResult } from "./service.js";

export * from "./generate.js";
export * from "./load.js";
export { BRAND as DEMO_BRAND, DEMO_ANCHOR, DEMO_START } from "./catalog.js";
export { Random } from "./random.js";
export { demoSpend, ensureDemoSpend, writeDemoSpend } from "./spend.js";
export { DEMO_COUPON_ID, DEMO_PARTNER_ID, issueDemoCoupons, rotateDemoPartnerKey } from "./campaigns.js";
export { demoOwnerOf, demoStaff, demoTouchOf, ensureDemoStaff } from "./staff.js";

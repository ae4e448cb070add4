export * from "./compute.js";
export * from "./dimensions.js";
export * from "./store.js";
export * from "./sales.js";
export { cityKey, provinceOf, regionOf, PROVINCES, REGIONS, type Region } from "./regions.js";
export { memberBaseJob } from "./job.js";
export { memberBaseKeys, ANY_CHANNEL, NONMEMBER_SALES_SK } from "./keys.js";

export * from "./metrics.js";
export * from "./compute.js";
export * from "./store.js";
export { kpiJob } from "./job.js";
export { kpiKeys } from "./keys.js";

export * from "./types.js";
export * from "./item.js";
export * from "./store.js";
export * from "./workflow.js";
export * from "./survey.js";
export * from "./list.js";
export * from "./metrics.js";
export { ticketKeys } from "./keys.js";

export * from "./types.js";
export * from "./record.js";
export { eventFingerprint, eventItem } from "./item.js";

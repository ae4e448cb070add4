export * from "./types.js";
export * from "./validate.js";
export * from "./record.js";
export * from "./refund.js";
export * from "./read.js";

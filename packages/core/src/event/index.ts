export * from "./types.js";
export * from "./record.js";

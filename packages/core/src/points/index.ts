export * from "./types.js";
export * from "./entry.js";
export * from "./move.js";
export * from "./ledger.js";

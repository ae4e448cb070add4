export * from "./types.js";
export * from "./item.js";
export * from "./create.js";
export * from "./read.js";
export * from "./nearby.js";

export * from "./errors.js";
export * from "./page.js";
export * from "./money.js";
export * from "./contact.js";
export * from "./config.js";
export * from "./cursor.js";
export * from "./ids.js";
export * from "./cursor-key.js";

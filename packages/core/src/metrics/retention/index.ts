export * from "./types.js";
export { retentionKeys } from "./keys.js";
export { expandRows } from "./matrix.js";
export { retentionJob, retentionRows, parseRetentionParams, type RetentionParams, type RetentionPartial, type RetentionSnapshot, type RetentionVariant } from "./job.js";
export { getRetention, type RetentionQuery } from "./read.js";

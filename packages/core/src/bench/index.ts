export { bulkLoadDemoBrand, type BulkLoadOptions, type BulkLoadResult } from "./bulk-load.js";
export { demoMemberItems } from "./member-items.js";
export { rawScan, type RawScanOptions, type RawScanResult } from "./raw-scan.js";
export * from "./api-baseline.js";

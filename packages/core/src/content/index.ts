export * from "./types.js";
export { assertContentId, STATS_SHARDS } from "./keys.js";
export { effective } from "./item.js";
export { createContent, findContent, getContent, getContents, updateContent, type CreateContentInput, type UpdateContentInput } from "./store.js";
export { changeContentStatus, type StatusChange } from "./status.js";
export { listContents, type ContentFilter } from "./list.js";
export { contentPyramid, type PyramidLevel } from "./counts.js";
export { getEngagements, eventEngagementWrites, orderConversionWrites, refundConversionWrite } from "./engagement.js";
export { publishDueContent, type PublishResult } from "./publish.js";

export * from "./types.js";
export { assertCampaignId, campaignKeys } from "./keys.js";
export { effectiveCampaign, isRunning } from "./item.js";
export { createCampaign, findCampaign, getCampaign, getCampaigns, getStoredCampaign, listCampaigns, updateCampaign, writeCampaign, type CampaignFilter, type CreateCampaignInput, type UpdateCampaignInput } from "./store.js";
export { applyCampaignSchedules, changeCampaignStatus } from "./status.js";
export type { CampaignConfigInput } from "./validate.js";

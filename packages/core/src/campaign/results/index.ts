export { ATTRIBUTIONS, attributeOrder, ordersCampaignWrites, refundCampaignWrites, type Attribution } from "./orders.js";
export { eventCampaignEffects, type EventCampaignEffects } from "./events.js";
export { countersUpdate, RESULT_COUNTERS, type ResultCounter } from "./counters.js";
export { funnelOf, getCampaignCounters, getCampaignWithCounters, returnsOf, type CampaignCounters, type FunnelStep } from "./read.js";
export { RESULT_SHARDS } from "./keys.js";

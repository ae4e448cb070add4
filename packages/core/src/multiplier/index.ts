export { forgetMultiplierCampaigns, multiplierCampaigns, MULTIPLIER_CACHE_MS } from "./campaigns.js";
export { multiplied, multipliersFor, type PointsBoost } from "./apply.js";

export { forgetMultiplierCampaigns, multiplierCampaigns, MULTIPLIER_CACHE_MS } from "./campaigns.js";
export { boostNote, boostOrder, multiplied, multipliersFor, type PointsBoost } from "./apply.js";

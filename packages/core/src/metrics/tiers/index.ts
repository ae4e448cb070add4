export { tiersJob, finishTiers, type TierPyramidSnapshot, type TiersRun } from "./job.js";
export { tiersKeys } from "./keys.js";
export { addTierItem, decodeTiersPartial, emptyTiersPartial, encodeTiersPartial, mergeTiersPartials, zeroCounts, type TierChangePlan, type TierCounts, type TiersPartial } from "./partial.js";
export { recencyDays, tierFor, TIER_OF_RULE, TIER_RANK, TIER_RULES, type TierAsOf, type TierClvFacts, type TierDecision, type TierMemberFacts, type TierRule } from "./rules.js";
export { APPLY_CONCURRENCY, applyTierChanges, getTierSnapshot, listTierSnapshots, MAX_TIER_SNAPSHOTS, TIERS_ACTOR, writeTiersRun, type TierApplyStats, type TierSnapshotRange } from "./store.js";
export { DEFAULT_TIER_THRESHOLDS, defaultTierThresholds, MAX_WINDOW_DAYS, patchTierThresholds, storedTierThresholds, validateTierThresholds, type TierThresholds, type TierThresholdsPatch } from "./thresholds.js";

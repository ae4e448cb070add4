export { clvJob } from "./job.js";
export { clvKeys, CLV_LATEST_SK, CLV_MEMBER_SK } from "./keys.js";
export { CLV_TIME_UNITS, clvParamsKey, DEFAULT_CLV_PARAMS, parseClvParams, type ClvParams } from "./params.js";
export { computeClv, populationSpendMinor, predictWithValue, TOP_MEMBERS } from "./compute.js";
export type { BgnbdFit, ClvAverage, ClvHistorical, ClvMemberResult, ClvRun, ClvSnapshot, ClvTopEntry, ClvWarning, ComputeInput, GammaGammaFit, SpendModel } from "./compute.js";
export { addItem, decodePartial, encodePartial, mergePartials, type ClvPartial, type MemberInfo, type MemberState } from "./partial.js";
export { getClvSnapshot, getMemberClvs, memberClvItem, writeClvRun, type MemberClv } from "./store.js";
export { LocalDays } from "./local-days.js";

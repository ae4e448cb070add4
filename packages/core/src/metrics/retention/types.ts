import type { PeriodType } from "../../jobs/periods.js";

/** What makes a member active in a period: any order or engagement event, or orders only. */
export const RETENTION_BASES = ["ANY_ACTIVITY", "PURCHASE"] as const;
export type RetentionBasis = (typeof RETENTION_BASES)[number];

/** ON: active in exactly period k after joining. ON_OR_AFTER: active in period k or any later one (up to as-of). */
export const RETENTION_MODES = ["ON", "ON_OR_AFTER"] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

export interface RetentionCell {
  /** Periods since the cohort's join period (0 = the join period itself). */
  k: number;
  /** Members of the cohort active in period c + k (ON) or in c + k or later (ON_OR_AFTER). */
  retained: number;
  /** retained ÷ cohort size. */
  rate: number;
  /** False while period c + k is not over at the as-of date: a figure so far, not a drop. */
  complete: boolean;
}

export interface RetentionCohort {
  /** First local date of the join period. */
  start: string;
  size: number;
  cells: RetentionCell[];
}

export interface RetentionAverage {
  k: number;
  /** Σ retained ÷ Σ size over the cohorts whose cell k is complete (weighted by cohort size); null if none is. */
  rate: number | null;
  /** Whether every cohort that reached period k is in the average (none left out as incomplete). */
  complete: boolean;
  cohortsIncluded: number;
}

export interface RetentionMatrix {
  tenantId: string;
  period: PeriodType;
  basis: RetentionBasis;
  mode: RetentionMode;
  asOf: string;
  timeZone: string;
  computedAt: string;
  /** Members in the matrix (all cohorts). */
  members: number;
  cohorts: RetentionCohort[];
  average: RetentionAverage[];
}

/** A cohort row as stored: join-period start, size, retained count per k (0 .. as-of period). */
export type CohortRow = [start: string, size: number, retained: number[]];

import type { CohortRow, RetentionAverage, RetentionCohort } from "./types.js";

/**
 * Cells and the average row from stored cohort rows. Each row runs from k = 0 (the join period)
 * to the period holding the as-of date; only that last period can be unfinished, so the last
 * cell of every row is incomplete unless `lastPeriodComplete`.
 */
export function expandRows(rows: CohortRow[], lastPeriodComplete: boolean): { cohorts: RetentionCohort[]; average: RetentionAverage[] } {
  const cohorts: RetentionCohort[] = rows.map(([start, size, retained]) => ({
    start,
    size,
    cells: retained.map((count, k) => ({ k, retained: count, rate: count / size, complete: lastPeriodComplete || k < retained.length - 1 })),
  }));
  const longest = Math.max(0, ...rows.map(([, , retained]) => retained.length));
  const average: RetentionAverage[] = [];
  for (let k = 0; k < longest; k++) {
    let retained = 0;
    let size = 0;
    let included = 0;
    let reached = 0;
    for (const cohort of cohorts) {
      const cell = cohort.cells[k];
      if (!cell) continue;
      reached++;
      if (!cell.complete) continue;
      retained += cell.retained;
      size += cohort.size;
      included++;
    }
    average.push({ k, rate: included > 0 ? retained / size : null, complete: included > 0 && included === reached, cohortsIncluded: included });
  }
  return { cohorts, average };
}

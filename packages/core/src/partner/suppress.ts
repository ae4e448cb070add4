import { DEFAULT_MIN_GROUP_SIZE } from "./types.js";

/**
 * Small-group suppression for partner aggregates: a count under the minimum group size is not
 * shown (null, with `suppressed`), so a partner cannot single out a person by slicing. Zero is
 * shown (it singles out no one). Rates are shown only when both their counts are.
 */
export interface Suppressed {
  value: number | null;
  suppressed: boolean;
}

export function suppress(count: number, min = DEFAULT_MIN_GROUP_SIZE): Suppressed {
  return count > 0 && count < min ? { value: null, suppressed: true } : { value: count, suppressed: false };
}

export function suppressedRate(numerator: number, denominator: number, min = DEFAULT_MIN_GROUP_SIZE): number | null {
  if (denominator === 0 || suppress(numerator, min).suppressed || suppress(denominator, min).suppressed) return null;
  return numerator / denominator;
}

import type { RawParams } from "../../jobs/job.js";
import { ValidationError } from "../../shared/errors.js";
import type { TimeUnit } from "../clv/summary.js";

export const CLV_TIME_UNITS = ["DAY", "WEEK", "MONTH"] as const satisfies readonly TimeUnit[];

/** Parameters of one predictive CLV run; they name the snapshot (`paramsKey`). */
export interface ClvParams {
  /** Unit of t_x, T and the BG/NBD scale α (default WEEK, as in Fader, Hardie & Lee 2005). */
  timeUnit: TimeUnit;
  /** Whole months ahead of the as-of date the CLV covers (default 12). */
  horizonMonths: number;
  /** Discount rate per month (default 0.01). */
  monthlyDiscountRate: number;
}

export const DEFAULT_CLV_PARAMS: Readonly<ClvParams> = Object.freeze({ timeUnit: "WEEK", horizonMonths: 12, monthlyDiscountRate: 0.01 });

export const MAX_HORIZON_MONTHS = 120;

/** Option names: CLI flags `--unit`, `--horizon`, `--discount`; fields of GraphQL / Step Functions input. */
const OPTION_NAMES = ["unit", "horizon", "discount"] as const;

const numberOf = (value: unknown): number => (typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN);

/** Checks raw options (strings from the CLI and schedules, numbers from code) and fills the defaults. */
export function parseClvParams(raw: RawParams): ClvParams {
  const unknown = Object.keys(raw).filter((k) => !(OPTION_NAMES as readonly string[]).includes(k) && raw[k] !== undefined);
  if (unknown.length > 0) throw new ValidationError(`predictive-clv takes unit, horizon and discount (got ${unknown.join(", ")})`, "params");
  const unit = raw.unit === undefined || raw.unit === null ? DEFAULT_CLV_PARAMS.timeUnit : typeof raw.unit === "string" ? raw.unit.toUpperCase() : raw.unit;
  if (!(CLV_TIME_UNITS as readonly unknown[]).includes(unit)) throw new ValidationError(`unit must be ${CLV_TIME_UNITS.join(", ")}`, "unit");
  const horizon = raw.horizon === undefined || raw.horizon === null ? DEFAULT_CLV_PARAMS.horizonMonths : numberOf(raw.horizon);
  if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= MAX_HORIZON_MONTHS)) throw new ValidationError(`horizon must be a whole number of months from 1 to ${MAX_HORIZON_MONTHS}`, "horizon");
  const discount = raw.discount === undefined || raw.discount === null ? DEFAULT_CLV_PARAMS.monthlyDiscountRate : numberOf(raw.discount);
  if (!(Number.isFinite(discount) && discount >= 0 && discount <= 1)) throw new ValidationError("discount must be a monthly rate from 0 to 1 (0.01 = 1% a month)", "discount");
  return { timeUnit: unit as TimeUnit, horizonMonths: horizon, monthlyDiscountRate: discount };
}

/** `WEEK.12m.0.01`: unit, horizon in months, monthly discount rate. */
export function clvParamsKey(params: ClvParams): string {
  return `${params.timeUnit}.${params.horizonMonths}m.${String(params.monthlyDiscountRate)}`;
}

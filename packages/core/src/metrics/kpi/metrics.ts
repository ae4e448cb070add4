/**
 * The KPI catalogue: every number a daily KPI snapshot holds, per scope (the whole brand, or the
 * members acquired through one source channel). Names are the GraphQL `KpiMetric` values and the
 * series keys, so the catalogue, the snapshot, the series items and the schema cannot drift.
 *
 * Windows end on the as-of day D (tenant's local days): `_1D` = D, `_7D` = D−6..D, `_30D` =
 * D−29..D; names without a window are "everything up to the end of D". Exact formulas: docs/jobs.md.
 */
export const KPI_UNITS = ["COUNT", "RATE", "MONEY", "DAYS", "SCORE", "RATIO"] as const;
export type KpiUnit = (typeof KPI_UNITS)[number];

const C = "COUNT", R = "RATE", M = "MONEY", D = "DAYS", S = "SCORE", X = "RATIO";

/** Metric → unit. MONEY values are minor units in core, major units in GraphQL. RATE is 0..1. */
export const KPI_METRICS = {
  MEMBERS: C,
  NEW_MEMBERS_1D: C,
  NEW_MEMBERS_7D: C,
  NEW_MEMBERS_30D: C,
  ACTIVE_MEMBERS_1D: C,
  ACTIVE_MEMBERS_7D: C,
  ACTIVE_MEMBERS_30D: C,
  RETENTION_BASE_30D: C,
  RETAINED_MEMBERS_30D: C,
  RETENTION_RATE_30D: R,
  PAYING_MEMBERS: C,
  CONVERSION_RATE: R,
  ORDERS_30D: C,
  REVENUE_30D: M,
  AOV_30D: M,
  BUYERS_30D: C,
  REPEAT_BUYERS_30D: C,
  REPURCHASE_RATE_30D: R,
  ORDERS: C,
  REVENUE: M,
  AOV: M,
  REPURCHASE_RATE: R,
  REFUNDS: M,
  NET_REVENUE: M,
  HISTORICAL_CLV: M,
  SPEND_30D: M,
  CAC_30D: M,
  SPEND: M,
  CAC: M,
  CAMPAIGN_SPEND: M,
  ATTRIBUTED_REVENUE: M,
  ROI: X,
  REFERRED_MEMBERS_30D: C,
  REFERRERS_30D: C,
  K_FACTOR_30D: X,
  LIFECYCLE_DAYS: D,
  NPS_RESPONSES_30D: C,
  NPS_30D: S,
  NPS_RESPONSES: C,
  NPS: S,
  PROFILE_COMPLETENESS: R,
  DUPLICATE_RATE: R,
  FRESHNESS_DAYS: D,
  PRIVATE_DOMAIN_SALES: M,
} as const satisfies Record<string, KpiUnit>;

export type KpiMetric = keyof typeof KPI_METRICS;
export const KPI_METRIC_NAMES = Object.keys(KPI_METRICS) as KpiMetric[];

/** One scope's numbers; null where a ratio has nothing to divide by (no orders, no spend, ...). */
export type KpiValues = Record<KpiMetric, number | null>;

/** The scope key of the whole brand (channels are the other scope keys). */
export const ALL_SCOPE = "ALL";

export const isKpiMetric = (value: unknown): value is KpiMetric => typeof value === "string" && Object.hasOwn(KPI_METRICS, value);

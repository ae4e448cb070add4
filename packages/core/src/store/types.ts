export const STORE_STATUSES = ["OPEN", "CLOSED"] as const;
/** OPEN: trading, found by nearby search. CLOSED: kept with its history, hidden from nearby search. */
export type StoreStatus = (typeof STORE_STATUSES)[number];

/**
 * An offline store as stored (key attributes stripped). The running totals are maintained by
 * order recording (ADD orderCount, grossSalesMinor) and refunds (ADD refundedMinor), in the
 * same transaction as the order or refund; money in minor units (fen).
 */
export interface Store {
  tenantId: string;
  storeId: string;
  name: string;
  address?: string;
  city?: string;
  /** WGS-84 decimal degrees. */
  latitude: number;
  longitude: number;
  /** Geohash of the location at `GEOHASH_PRECISION` characters (about 4.8 x 4.8 m). */
  geohash: string;
  /** The geohash's first `GEO_CELL_PRECISION` characters: the nearby-search partition. */
  geoCell: string;
  status: StoreStatus;
  orderCount: number;
  grossSalesMinor: number;
  refundedMinor: number;
  createdAt: string;
  updatedAt: string;
}

/** Characters of a store's stored geohash (cells of about 4.8 x 4.8 m). */
export const GEOHASH_PRECISION = 9;
/**
 * Characters of the geohash cell that partitions stores for nearby search: 4 characters are
 * cells of 0.3515625 deg longitude x 0.17578125 deg latitude (about 39 x 19.5 km at the
 * equator), so a city's stores sit in a handful of partitions and a search reads a few.
 */
export const GEO_CELL_PRECISION = 4;

export const MAX_STORE_NAME = 100;
export const MAX_STORE_ADDRESS = 200;
export const MAX_STORE_CITY = 60;

/** Net sales: gross minus refunds. */
export const netSalesMinor = (s: Pick<Store, "grossSalesMinor" | "refundedMinor">) => s.grossSalesMinor - s.refundedMinor;

import ngeohash from "ngeohash";
import { keys, stripKeys, type IndexKeys, type Keys } from "../db/keys.js";
import { ValidationError } from "../shared/errors.js";
import { GEO_CELL_PRECISION, GEOHASH_PRECISION, type Store } from "./types.js";

/** The stored geohash and the nearby-search cell of a location. */
export function geoOf(latitude: number, longitude: number): { geohash: string; geoCell: string } {
  const geohash = ngeohash.encode(latitude, longitude, GEOHASH_PRECISION);
  return { geohash, geoCell: geohash.slice(0, GEO_CELL_PRECISION) };
}

export function checkLatitude(value: number, field = "latitude"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < -90 || value > 90) {
    throw new ValidationError(`${field} must be a number between -90 and 90`, field);
  }
  return value;
}

export function checkLongitude(value: number, field = "longitude"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < -180 || value > 180) {
    throw new ValidationError(`${field} must be a number between -180 and 180`, field);
  }
  return value;
}

/**
 * The index keys a store carries: gsi1 = its geohash cell (nearby search, sorted by full
 * geohash), gsi2 = the brand's store list (sorted by name, id as tie-break).
 */
export function storeIndexKeys(s: Pick<Store, "tenantId" | "storeId" | "name" | "geohash" | "geoCell">): IndexKeys {
  return {
    gsi1pk: keys.storesByGeoCell(s.tenantId, s.geoCell),
    gsi1sk: `${s.geohash}#${s.storeId}`,
    gsi2pk: keys.storesOfTenant(s.tenantId),
    gsi2sk: `${s.name}#${s.storeId}`,
  };
}

export function storeItem(s: Store): Store & Keys & IndexKeys {
  return { ...keys.store(s.tenantId, s.storeId), ...storeIndexKeys(s), ...s };
}

export function fromStoreItem(item: Record<string, unknown>): Store {
  const s = stripKeys(item) as unknown as Store;
  // The totals are ADDed by orders and refunds; an attribute never added reads as zero.
  return { ...s, orderCount: s.orderCount ?? 0, grossSalesMinor: s.grossSalesMinor ?? 0, refundedMinor: s.refundedMinor ?? 0 };
}

import ngeohash from "ngeohash";
import { keys } from "../db/keys.js";
import { queryAll } from "../db/query.js";
import { ValidationError } from "../shared/errors.js";
import { checkLatitude, checkLongitude, fromStoreItem } from "./item.js";
import { GEO_CELL_PRECISION, type Store } from "./types.js";

/** Mean Earth radius (IUGG), in km: the sphere the haversine distances are measured on. */
export const EARTH_RADIUS_KM = 6371.0088;

/**
 * Largest search radius. Nearby search answers "which stores can I walk or drive to", a local
 * question; its cost grows with the radius squared, because every precision-4 cell touching
 * the circle's bounding box is one Query and every store in those cells is read and measured.
 * At 50 km that is about 24 cells at Shanghai's latitude (18 at the equator, 54 at 70 deg N),
 * and at the default 5 km one to six, so a request stays a bounded, parallel fan-out of key
 * reads. Wider questions ("stores in this
 * province") are lists by city, not distance searches.
 */
export const MAX_NEARBY_RADIUS_KM = 50;
export const DEFAULT_NEARBY_RADIUS_KM = 5;
export const MAX_NEARBY_RESULTS = 50;
export const DEFAULT_NEARBY_RESULTS = 10;
/**
 * Most cells one search may read. Near the poles the meridians converge, so the same radius
 * spans many more cells (a circle around a pole spans all 1024 longitudes of a cell row); the
 * search is refused (BAD_USER_INPUT) rather than fanning out into thousands of queries. 128
 * admits the full 50 km up to about 81 deg of latitude, and smaller radii closer to the poles.
 */
export const MAX_NEARBY_CELLS = 128;
/** Cells queried at the same time. */
const CELL_CONCURRENCY = 16;

export interface LatLng {
  latitude: number;
  longitude: number;
}

export interface NearbyArgs extends LatLng {
  /** 0 < radiusKm <= 50; default 5. */
  radiusKm?: number | null;
  /** 1-50; default 10. */
  first?: number | null;
  /** Also return CLOSED stores (default: OPEN ones only, since a closed store is nowhere to go). */
  includeClosed?: boolean | null;
}

export interface NearbyStore {
  store: Store;
  /** Great-circle (haversine) distance from the search point, in km. */
  distanceKm: number;
}

const RAD = Math.PI / 180;

/** Great-circle distance in km between two points (haversine formula on a sphere of EARTH_RADIUS_KM). */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = (b.latitude - a.latitude) * RAD;
  const dLng = (b.longitude - a.longitude) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * RAD) * Math.cos(b.latitude * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The precision-4 geohash cells covering the bounding box of the circle of `radiusKm` around
 * the point. The box is exact for a sphere: latitude +/- the angular radius, and longitude
 * +/- asin(sin(r) / cos(lat)), the meridians tangent to the circle (wider than r / cos(lat)).
 * Latitudes are clamped to +/-90; a circle reaching over a pole spans every longitude; a box
 * crossing the antimeridian is split in two, one on each side of 180 deg.
 */
export function cellsCovering(center: LatLng, radiusKm: number): string[] {
  const delta = radiusKm / EARTH_RADIUS_KM;
  const phi = center.latitude * RAD;
  const minLat = Math.max(-90, (phi - delta) / RAD);
  const maxLat = Math.min(90, (phi + delta) / RAD);
  const ranges: [number, number][] = [];
  if (phi + delta >= Math.PI / 2 || phi - delta <= -Math.PI / 2) {
    ranges.push([-180, 180]);
  } else {
    const dLng = Math.asin(Math.min(1, Math.sin(delta) / Math.cos(phi))) / RAD;
    const west = center.longitude - dLng;
    const east = center.longitude + dLng;
    if (east - west >= 360) ranges.push([-180, 180]);
    else if (west < -180) ranges.push([west + 360, 180], [-180, east]);
    else if (east > 180) ranges.push([west, 180], [-180, east - 360]);
    else ranges.push([west, east]);
  }
  const cells = new Set<string>();
  for (const [west, east] of ranges) {
    for (const cell of ngeohash.bboxes(minLat, west, maxLat, east, GEO_CELL_PRECISION)) cells.add(cell);
  }
  return [...cells].sort();
}

/**
 * Stores within `radiusKm` of a point, nearest first (ties by id), at most `first`. No scan:
 * each covering cell's gsi1 partition is queried (in parallel), then every store is measured
 * with the haversine formula and kept if within the radius. Cost is bounded by the radius cap
 * and by a brand's store count (hundreds to a few thousand), so a cell is read whole.
 */
export async function nearbyStores(tenantId: string, args: NearbyArgs): Promise<NearbyStore[]> {
  const center = { latitude: checkLatitude(args.latitude), longitude: checkLongitude(args.longitude) };
  const radiusKm = args.radiusKm ?? DEFAULT_NEARBY_RADIUS_KM;
  if (typeof radiusKm !== "number" || !Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_NEARBY_RADIUS_KM) {
    throw new ValidationError(`radiusKm must be greater than 0 and at most ${MAX_NEARBY_RADIUS_KM}`, "radiusKm");
  }
  const first = args.first ?? DEFAULT_NEARBY_RESULTS;
  if (!Number.isInteger(first) || first < 1 || first > MAX_NEARBY_RESULTS) {
    throw new ValidationError(`first must be between 1 and ${MAX_NEARBY_RESULTS}`, "first");
  }
  const cells = cellsCovering(center, radiusKm);
  if (cells.length > MAX_NEARBY_CELLS) {
    throw new ValidationError(`this close to a pole a ${radiusKm} km search spans too many areas; use a smaller radius`, "radiusKm");
  }
  const perCell = await mapLimit(cells, CELL_CONCURRENCY, (cell) =>
    queryAll<Record<string, unknown>>({ index: "gsi1", pk: keys.storesByGeoCell(tenantId, cell) }),
  );
  const found: NearbyStore[] = [];
  for (const item of perCell.flat()) {
    const store = fromStoreItem(item);
    if (store.status !== "OPEN" && !args.includeClosed) continue;
    const distanceKm = haversineKm(center, store);
    if (distanceKm <= radiusKm) found.push({ store, distanceKm });
  }
  found.sort((a, b) => a.distanceKm - b.distanceKm || (a.store.storeId < b.store.storeId ? -1 : a.store.storeId > b.store.storeId ? 1 : 0));
  return found.slice(0, first);
}

async function mapLimit<T, R>(list: readonly T[], limit: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  return out;
}

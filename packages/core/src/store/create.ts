import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import { backoff } from "../db/transact.js";
import { buildUpdate } from "../db/update.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN, newId } from "../shared/ids.js";
import { checkPattern, cleanText, requireText } from "../shared/text.js";
import { checkLatitude, checkLongitude, fromStoreItem, geoOf, storeIndexKeys, storeItem } from "./item.js";
import { findStore } from "./read.js";
import { MAX_STORE_ADDRESS, MAX_STORE_CITY, MAX_STORE_NAME, STORE_STATUSES, type Store, type StoreStatus } from "./types.js";

export interface CreateStoreInput {
  /** Client-chosen id (the brand's own store code); generated (`s_<ulid>`) when absent. */
  storeId?: string | null;
  /** 1-100 characters. */
  name: string;
  address?: string | null;
  city?: string | null;
  latitude: number;
  longitude: number;
  /** Default OPEN. */
  status?: string | null;
}

/**
 * Changes to a store. `name`, `latitude`, `longitude` and `status` keep their value when
 * omitted or null; `address` and `city` keep it when omitted and are cleared by null or blank.
 */
export interface UpdateStoreInput {
  name?: string | null;
  address?: string | null;
  city?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  status?: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function storeName(value: string): string {
  const name = requireText(value, "name", MAX_STORE_NAME);
  if (CONTROL.test(name)) throw new ValidationError("name must not contain control characters", "name");
  return name;
}

function storeStatus(value: string): StoreStatus {
  if (!(STORE_STATUSES as readonly string[]).includes(value)) throw new ValidationError(`status must be one of ${STORE_STATUSES.join(", ")}`, "status");
  return value as StoreStatus;
}

/** Creates a store; CONFLICT when the id is taken. Totals start at zero. */
export async function createStore(tenantId: string, input: CreateStoreInput): Promise<Store> {
  const storeId = input.storeId ? checkPattern(input.storeId, CLIENT_ID_PATTERN, "storeId", "must be 1-100 letters, digits or _.:-") : newId("s");
  const name = storeName(input.name);
  const latitude = checkLatitude(input.latitude);
  const longitude = checkLongitude(input.longitude);
  const now = new Date().toISOString();
  const store: Store = {
    tenantId,
    storeId,
    name,
    address: cleanText(input.address, "address", MAX_STORE_ADDRESS),
    city: cleanText(input.city, "city", MAX_STORE_CITY),
    latitude,
    longitude,
    ...geoOf(latitude, longitude),
    status: input.status ? storeStatus(input.status) : "OPEN",
    orderCount: 0,
    grossSalesMinor: 0,
    refundedMinor: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: storeItem(store), ConditionExpression: "attribute_not_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(`store ${storeId} already exists`, { storeId, field: "storeId" });
    throw error;
  }
  return store;
}

const MAX_UPDATE_ATTEMPTS = 5;

/**
 * Updates a store with one UpdateItem that SETs (or REMOVEs) only the changed fields, so the
 * running totals that orders and refunds ADD concurrently are never overwritten. A rename
 * moves the store in the name-ordered list; a move recomputes the geohash and its cell. When
 * only one coordinate is given, the other comes from the stored item, and the write is
 * conditioned on the stored coordinates being unchanged (retried otherwise), so two concurrent
 * half-moves cannot leave a geohash that matches neither. NOT_FOUND if the store is missing.
 */
export async function updateStore(tenantId: string, storeId: string, input: UpdateStoreInput): Promise<Store> {
  const name = input.name === undefined || input.name === null ? undefined : storeName(input.name);
  const address = input.address === undefined ? undefined : (cleanText(input.address, "address", MAX_STORE_ADDRESS) ?? null);
  const city = input.city === undefined ? undefined : (cleanText(input.city, "city", MAX_STORE_CITY) ?? null);
  const latitude = input.latitude === undefined || input.latitude === null ? undefined : checkLatitude(input.latitude);
  const longitude = input.longitude === undefined || input.longitude === null ? undefined : checkLongitude(input.longitude);
  const status = input.status ? storeStatus(input.status) : undefined;

  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const current = await findStore(tenantId, storeId, true);
    if (!current) throw new NotFoundError("Store", storeId);
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    if (name !== undefined && name !== current.name) Object.assign(set, { name }, pick(storeIndexKeys({ ...current, name }), "gsi2sk"));
    for (const [field, value] of [["address", address], ["city", city]] as const) {
      if (value === undefined || value === (current[field] ?? null)) continue;
      if (value === null) remove.push(field);
      else set[field] = value;
    }
    if (status !== undefined && status !== current.status) set.status = status;
    const lat = latitude ?? current.latitude;
    const lng = longitude ?? current.longitude;
    const moved = lat !== current.latitude || lng !== current.longitude;
    if (moved) {
      const geo = geoOf(lat, lng);
      Object.assign(set, { latitude: lat, longitude: lng, ...geo }, pick(storeIndexKeys({ ...current, ...geo }), "gsi1pk", "gsi1sk"));
    }
    if (Object.keys(set).length === 0 && remove.length === 0) return current;

    set.updatedAt = new Date().toISOString();
    const update = buildUpdate({
      set,
      remove,
      condition: moved ? "attribute_exists(pk) AND #lat0 = :lat0 AND #lng0 = :lng0" : "attribute_exists(pk)",
      ...(moved ? { names: { "#lat0": "latitude", "#lng0": "longitude" }, values: { ":lat0": current.latitude, ":lng0": current.longitude } } : {}),
    });
    try {
      const out = await documentClient().send(
        new UpdateCommand({ TableName: tableName(), Key: keys.store(tenantId, storeId), ...update, ReturnValues: "ALL_NEW" }),
      );
      return fromStoreItem(out.Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Deleted (the next read says NOT_FOUND) or moved by someone else: plan again.
      await backoff(attempt);
    }
  }
  throw new ConflictError("the store changed at the same time; try again");
}

function pick<T extends Record<string, unknown>, K extends keyof T>(obj: T, ...fields: K[]): Pick<T, K> {
  return Object.fromEntries(fields.map((f) => [f, obj[f]])) as Pick<T, K>;
}

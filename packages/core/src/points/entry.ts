import { keys } from "../db/keys.js";
import { newId } from "../shared/ids.js";
import type { PointsEntry } from "./types.js";

export function newPointsEntry(fields: Omit<PointsEntry, "entryId" | "createdAt"> & { createdAt?: string }): PointsEntry {
  return { ...fields, entryId: newId("p"), createdAt: fields.createdAt ?? new Date().toISOString() };
}

export function pointsEntryItem(entry: PointsEntry) {
  return { ...keys.pointsEntry(entry.tenantId, entry.memberId, entry.entryId), ...entry };
}

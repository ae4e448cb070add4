import { newAuditEntry, recordAudit } from "@growth/core/audit";
import type { Principal } from "./auth.js";
import { logError } from "./errors.js";

/**
 * Permission denials go to the audit log, at most one entry per (principal, field) a minute, so
 * a client hammering a forbidden field cannot flood the log or the table. Written off the
 * request's path: the denial answers at once; a failed write is logged, never shown.
 */
const WINDOW_MS = 60_000;
const MAX_REMEMBERED = 10_000;
const recent = new Map<string, number>();

export function reportDenied(principal: Principal, field: string, now = Date.now()): Promise<void> | undefined {
  const key = `${principal.tenantId}\u0000${principal.principalId}\u0000${field}`;
  const last = recent.get(key);
  if (last !== undefined && now - last < WINDOW_MS) return undefined;
  if (recent.size >= MAX_REMEMBERED) recent.clear();
  recent.set(key, now);
  const entry = newAuditEntry(principal.tenantId, { action: "PERMISSION_DENIED", actor: principal.principalId, target: `field:${field}`, detail: principal.kind === "PARTNER" ? "partner key" : principal.role });
  return recordAudit(entry).catch((error: unknown) => logError("could not write a permission-denied audit entry", error));
}

import { createHmac, timingSafeEqual } from "node:crypto";
import { cursorSecret } from "./config.js";
import { ValidationError } from "./errors.js";

/**
 * Opaque page cursors: base64url(JSON) plus an HMAC over the payload, the tenant and the
 * query scope. A cursor edited by hand, or taken from another tenant or another list, fails
 * verification and is rejected as BAD_USER_INPUT, so it can never steer a query to other keys.
 */
export function encodeCursor(tenantId: string, scope: string, state: unknown): string {
  const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
  return `${payload}.${sign(tenantId, scope, payload)}`;
}

export function decodeCursor<T>(tenantId: string, scope: string, cursor: string): T {
  const [payload, mac, extra] = cursor.split(".");
  if (!payload || !mac || extra !== undefined || cursor.length > 4096) throw invalid();
  const expected = Buffer.from(sign(tenantId, scope, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as T;
  } catch {
    throw invalid();
  }
}

function sign(tenantId: string, scope: string, payload: string): string {
  return createHmac("sha256", cursorSecret()).update(`${tenantId}\u0000${scope}\u0000${payload}`).digest("base64url");
}

const invalid = () => new ValidationError("the cursor is invalid or belongs to another list", "after");

import { createHash, randomBytes } from "node:crypto";
import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

/** Time-ordered id (ULID): sorts by creation time, so "newest first" is a key order. */
export const newId = (prefix: string): string => `${prefix}_${ulid()}`;

/** Deterministic id from parts, for imports that must map the same row to the same item. */
export function stableId(prefix: string, ...parts: string[]): string {
  const hash = createHash("sha256").update(parts.join("\u0000")).digest("base64url");
  return `${prefix}_${hash.slice(0, 22)}`;
}

export const randomToken = (bytes = 16): string => randomBytes(bytes).toString("base64url");

/** Client-supplied ids (orders, events, members) are bounded and free of key separators. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

import { randomBytes } from "node:crypto";

/** A fresh tenant id per call, so tests sharing the one table never see each other's items. */
export function newTenantId(prefix = "t"): string {
  const random = BigInt(`0x${randomBytes(8).toString("hex")}`).toString(36);
  return `${prefix}${random}`;
}

import { randomBytes } from "node:crypto";

/** A fresh tenant id per test, so tests sharing one DynamoDB Local never see each other's data. */
export const newTenantId = (prefix = "t"): string => `${prefix}-${randomBytes(6).toString("hex")}`;

export const actor = { actor: "test-user" };

import { randomBytes } from "node:crypto";
import { dynamo } from "@growth/core/db/client";
import { ensureTable } from "../local/ensure-table.js";

/**
 * Every test file gets its own table on the shared DynamoDB Local. Tenants already keep tests
 * apart on request paths, but jobs scan the table: a scan in one file must not wade through
 * the CDNOW import of another.
 */
const tableName = `test-${randomBytes(5).toString("hex")}`;
process.env.TABLE_NAME = tableName;
await ensureTable(dynamo(), tableName);

import { gunzipSync } from "node:zlib";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../db/client.js";
import { isPeriodType, parseLocalDate, type PeriodType } from "../../jobs/periods.js";
import { ValidationError } from "../../shared/errors.js";
import { RETENTION_MATRIX_ATTRIBUTE } from "./job.js";
import { retentionKeys } from "./keys.js";
import { expandRows } from "./matrix.js";
import { RETENTION_BASES, RETENTION_MODES, type CohortRow, type RetentionBasis, type RetentionMatrix, type RetentionMode } from "./types.js";

export interface RetentionQuery {
  period: PeriodType;
  basis: RetentionBasis;
  mode?: RetentionMode;
  /** `YYYY-MM-DD`; omitted = the latest snapshot. */
  asOf?: string | null;
}

/** A retention matrix from its snapshot (one GetItem, or one Query for the latest); null if never computed. */
export async function getRetention(tenantId: string, query: RetentionQuery): Promise<RetentionMatrix | null> {
  const mode = query.mode ?? "ON";
  if (!isPeriodType(query.period)) throw new ValidationError("period must be WEEK or MONTH", "period");
  if (!(RETENTION_BASES as readonly string[]).includes(query.basis)) throw new ValidationError(`basis must be ${RETENTION_BASES.join(" or ")}`, "basis");
  if (!(RETENTION_MODES as readonly string[]).includes(mode)) throw new ValidationError(`mode must be ${RETENTION_MODES.join(" or ")}`, "mode");
  let item: Record<string, unknown> | undefined;
  if (query.asOf) {
    parseLocalDate(query.asOf, "asOf");
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: retentionKeys.snapshot(tenantId, query.period, query.basis, mode, query.asOf) }));
    item = out.Item;
  } else {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": retentionKeys.partition(tenantId, query.period, query.basis, mode) },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    item = out.Items?.[0];
  }
  if (!item) return null;
  const rows = JSON.parse(gunzipSync(item[RETENTION_MATRIX_ATTRIBUTE] as Uint8Array).toString("utf8")) as CohortRow[];
  const { cohorts, average } = expandRows(rows, item.lastPeriodComplete as boolean);
  return {
    tenantId,
    period: item.period as PeriodType,
    basis: item.basis as RetentionBasis,
    mode: item.mode as RetentionMode,
    asOf: item.asOf as string,
    timeZone: item.timeZone as string,
    computedAt: item.computedAt as string,
    members: item.members as number,
    cohorts,
    average,
  };
}

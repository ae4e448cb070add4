import { BillingMode } from "aws-cdk-lib/aws-dynamodb";
import { Table, type StackContext, type TableProps } from "sst/constructs";
import { TABLE_KEYS } from "../packages/core/src/db/table.js";
import { isProductionStage } from "./defaults.js";

type Fields = NonNullable<TableProps["fields"]>;
type GlobalIndexes = NonNullable<TableProps["globalIndexes"]>;

/** Every key attribute (primary and GSI) is a string; no other attribute is declared. */
function keyFields(): Fields {
  const fields: Fields = {
    [TABLE_KEYS.primary.partitionKey]: "string",
    [TABLE_KEYS.primary.sortKey]: "string",
  };
  for (const index of Object.values(TABLE_KEYS.globalIndexes)) {
    fields[index.partitionKey] = "string";
    fields[index.sortKey] = "string";
  }
  return fields;
}

function globalIndexes(): GlobalIndexes {
  const indexes: GlobalIndexes = {};
  for (const [name, keys] of Object.entries(TABLE_KEYS.globalIndexes)) {
    indexes[name] = { partitionKey: keys.partitionKey, sortKey: keys.sortKey, projection: "all" };
  }
  return indexes;
}

/**
 * The one DynamoDB table. Its keys come from `TABLE_KEYS`, the same definition DynamoDB Local
 * is created from, so the deployed and the tested table cannot drift apart.
 */
export function Database({ stack }: StackContext) {
  const table = new Table(stack, "Table", {
    fields: keyFields(),
    primaryIndex: {
      partitionKey: TABLE_KEYS.primary.partitionKey,
      sortKey: TABLE_KEYS.primary.sortKey,
    },
    globalIndexes: globalIndexes(),
    stream: "new_and_old_images",
    timeToLiveAttribute: TABLE_KEYS.timeToLiveAttribute,
    cdk: {
      table: {
        billingMode: BillingMode.PAY_PER_REQUEST,
        // SST passes the deprecated `pointInTimeRecovery: true` itself; CDK refuses both it and
        // `pointInTimeRecoverySpecification`, so clear the former and state the latter.
        pointInTimeRecovery: undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Removal policy RETAIN (app default for prod) survives stack deletion; this also
        // blocks a direct DeleteTable on the prod table.
        deletionProtection: isProductionStage(stack.stage),
      },
    },
  });
  return { table };
}

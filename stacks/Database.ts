import { RemovalPolicy } from "aws-cdk-lib";
import { BillingMode } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
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
  // The master key of personal-data encryption (packages/core/src/pii): it wraps each tenant's
  // data keys (GenerateDataKey / Decrypt) and never leaves KMS. KMS rotates its key material
  // yearly; older material keeps decrypting, so nothing has to be re-wrapped for that.
  const personalDataKey = new Key(stack, "PersonalDataKey", {
    description: `${stack.stage}: wraps the per-tenant data keys that encrypt members' phone and email`,
    enableKeyRotation: true,
    // A name for the CLIs run against a stage's table (PII_KMS_KEY_ID=alias/…, see docs/personal-data.md).
    alias: personalDataKeyAlias(stack.stage),
    // Losing this key loses every phone and email: never deleted with the stack in prod.
    removalPolicy: isProductionStage(stack.stage) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  return { table, personalDataKey };
}

export const personalDataKeyAlias = (stage: string) => `alias/private-domain-growth-${stage}-personal-data`;

/** What a function that reads or writes members needs of the personal-data key: its id in the environment... */
export const personalDataEnvironment = (key: Key) => ({ PII_KMS_KEY_ID: key.keyArn });

/** ...and permission to make, wrap and unwrap data keys with it (nothing else: no key administration). */
export const personalDataPermission = (key: Key) =>
  new PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], resources: [key.keyArn] });

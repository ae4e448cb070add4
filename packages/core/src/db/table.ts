/**
 * The one DynamoDB table's physical shape. The SST stack and the local bootstrap both read
 * this, so what is deployed and what tests run against cannot drift apart.
 */
export const TABLE_KEYS = {
  primary: { partitionKey: "pk", sortKey: "sk" },
  /** Overloaded GSIs; which entity uses which index for what is listed in ARCHITECTURE.md. */
  globalIndexes: {
    gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    gsi2: { partitionKey: "gsi2pk", sortKey: "gsi2sk" },
    gsi3: { partitionKey: "gsi3pk", sortKey: "gsi3sk" },
  },
  /** Epoch-seconds attribute DynamoDB uses to expire items (idempotency records, outbox). */
  timeToLiveAttribute: "expiresAt",
} as const;

export type GlobalIndexName = keyof typeof TABLE_KEYS.globalIndexes;

/** CreateTable input for DynamoDB Local (on-demand billing, all-attribute projections). */
export function createTableInput(tableName: string) {
  const { primary, globalIndexes } = TABLE_KEYS;
  const keyAttributes = new Set<string>([primary.partitionKey, primary.sortKey]);
  for (const index of Object.values(globalIndexes)) {
    keyAttributes.add(index.partitionKey);
    keyAttributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
    KeySchema: [
      { AttributeName: primary.partitionKey, KeyType: "HASH" as const },
      { AttributeName: primary.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: Object.entries(globalIndexes).map(([name, keys]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: keys.partitionKey, KeyType: "HASH" as const },
        { AttributeName: keys.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" as const },
  };
}

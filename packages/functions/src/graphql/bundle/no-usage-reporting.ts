/**
 * Stands in for `@apollo/usage-reporting-protobuf` (217 KB minified) and
 * `@apollo/utils.usagereporting` (with lodash, 20 KB) in the Lambda bundle (bundle/options.ts).
 * Apollo needs them only for Apollo Studio usage reporting and for inline tracing of federated
 * subgraphs, both turned off in server.ts
 * (ApolloServerPlugin*Disabled), so nothing here is ever called; if it were, it says why.
 */
const unavailable = (): never => {
  throw new Error("Apollo usage reporting and inline tracing are not bundled (see packages/functions/src/graphql/bundle/no-usage-reporting.ts)");
};

export class Trace {
  constructor() {
    unavailable();
  }
}
export class Report {
  constructor() {
    unavailable();
  }
}
export class ReportHeader {
  constructor() {
    unavailable();
  }
}
export const google = {};
export const usageReportingSignature = unavailable;
export const calculateReferencedFieldsByType = unavailable;

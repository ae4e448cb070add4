import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type ValidationRule } from "graphql";

/**
 * Query limits, checked before a query runs (parse and validation), so a hostile query costs
 * the server almost nothing: depth, cost, aliases and directives (graphql-armor), tokens (the
 * parser, which stops reading at the limit), plus
 * field suggestions blocked in the cloud ("did you mean" would leak the schema). Each limit can
 * be set in the environment; the defaults fit every query the README and the frontends send
 * with room to spare (the deepest real query, a segment's members with their referrers, is 7).
 * Batched HTTP operations are refused by Apollo Server itself (its default).
 */
export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 20_000, maxAliases: 15, maxDirectives: 10, maxTokens: 3_000 };

const ENV: Record<keyof QueryLimits, string> = {
  maxDepth: "GRAPHQL_MAX_DEPTH",
  maxCost: "GRAPHQL_MAX_COST",
  maxAliases: "GRAPHQL_MAX_ALIASES",
  maxDirectives: "GRAPHQL_MAX_DIRECTIVES",
  maxTokens: "GRAPHQL_MAX_TOKENS",
};

export function queryLimits(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(ENV) as [keyof QueryLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
    limits[key] = n;
  }
  return limits;
}

/**
 * This API serves no subscriptions: one is refused in validation (a 400 with
 * GRAPHQL_VALIDATION_FAILED) instead of failing in execution as an internal error.
 */
export const noSubscriptions: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === "subscription") context.reportError(new GraphQLError("Subscriptions are not supported by this API", { nodes: [node] }));
  },
});

/** The Apollo plugins and validation rules that enforce `limits` (and refuse subscriptions). */
export function armor(limits: QueryLimits, deployed: boolean) {
  const protection = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Tokens are counted by graphql's own parser (`parseOptions.maxTokens` in server.ts): armor's
    // token plugin throws from a hook Apollo treats as an unexpected error (a 500).
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: deployed },
  }).protect();
  return { ...protection, validationRules: [...protection.validationRules, noSubscriptions] };
}

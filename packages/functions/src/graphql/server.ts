import { randomUUID } from "node:crypto";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLFormattedError } from "graphql";
import { isDeployed } from "@growth/core/shared";
import { signLocalToken, type Role } from "./auth.js";
import { buildContext, type Context } from "./context.js";
import { formatError, withRequestId } from "./errors.js";
import { armor, queryLimits } from "./limits.js";
import { applyMemberScope } from "./member-scope.js";
import { applyPermissions, assertMatrixCoversSchema } from "./permissions.js";
import { resolverMaps, type Resolvers } from "./resolvers/index.js";
import { buildSdlSchema } from "./typedefs.js";

/**
 * The GraphQL server, built once per process (a Lambda container reuses it across
 * invocations): SDL from `schema/*.graphql`, resolvers from `resolvers/index.ts`, every root
 * field wrapped by the permission matrix, errors masked by `formatError`.
 */

/** Merges the area maps, refusing a field (or scalar) that two maps both define. */
export function mergeResolverMaps(maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown> | unknown> = {};
  for (const map of maps) {
    for (const [typeName, value] of Object.entries(map)) {
      const existing = merged[typeName];
      if (existing === undefined) {
        merged[typeName] = isPlainFieldMap(value) ? { ...value } : value;
        continue;
      }
      if (!isPlainFieldMap(existing) || !isPlainFieldMap(value)) throw new Error(`Resolvers for ${typeName} are defined twice`);
      for (const [field, resolver] of Object.entries(value)) {
        if (Object.hasOwn(existing, field)) throw new Error(`Resolver ${typeName}.${field} is defined twice`);
        existing[field] = resolver;
      }
    }
  }
  return merged as Resolvers;
}

function isPlainFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && !("serialize" in value);
}

// Cold start: the SDL built once as one document (typedefs.ts), and the resolvers set on that
// schema rather than on a copy.
const executableSchema = makeExecutableSchema<Context>({
  typeDefs: buildSdlSchema(),
  resolvers: mergeResolverMaps(resolverMaps),
  resolverValidationOptions: { requireResolversToMatchSchema: "error" },
  updateResolversInPlace: true,
});
assertMatrixCoversSchema(executableSchema);

// The member scope of staff-bound tokens inside the permission check (authorisation first).
export const schema = applyPermissions(applyMemberScope(executableSchema));

const deployed = isDeployed();
const limits = queryLimits();
const protection = armor(limits, deployed);

export const server = new ApolloServer<Context>({
  schema,
  formatError,
  includeStacktraceInErrorResponses: false,
  introspection: !deployed,
  // In the cloud: no landing page and no "did you mean" hints that leak the schema.
  hideSchemaDetailsFromClientErrors: deployed,
  // Depth, cost, aliases, directives and tokens, refused before execution (limits.ts).
  validationRules: protection.validationRules,
  parseOptions: { maxTokens: limits.maxTokens },
  // No Apollo Studio reporting and no subgraph inline tracing: their protobuf code is not in the
  // Lambda bundle (graphql/bundle/no-usage-reporting.ts).
  plugins: [
    ...protection.plugins,
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    // Apollo installs its cache-control plugin by default, and its willResolveField hook makes
    // Apollo wrap every field resolver of every request. Responses are POSTs that no cache
    // stores, and the SDL has no @cacheControl hints: nothing it computes is used.
    ApolloServerPluginCacheControlDisabled(),
    ...(deployed ? [ApolloServerPluginLandingPageDisabled()] : []),
  ],
  allowBatchedHttpRequests: false,
});

let starting: Promise<void> | undefined;

/**
 * Starts the server once for HTTP use in this process (local server, tests). The Lambda
 * handler starts it itself (`startServerAndCreateLambdaHandler`); if that happened first,
 * Apollo refuses a second start, which is fine: requests wait for that start instead.
 */
export function ensureServerStarted(): Promise<void> {
  starting ??= server.start().catch((error: unknown) => {
    if (error instanceof Error && error.message.includes("only call 'start()'")) return;
    throw error;
  });
  return starting;
}

export interface ExecuteOptions {
  /** Tenant for a locally signed token (with `role`, default ADMIN, and `sub`). */
  tenant?: string;
  role?: Role;
  sub?: string;
  /** Binds the signed token to a staff member (claim `staffId`). */
  staffId?: string;
  /** A raw Authorization header instead of a signed token; `null` sends none. */
  authorization?: string | null;
  requestId?: string;
}

export interface ExecuteResult<TData> {
  data?: TData | null;
  errors?: readonly GraphQLFormattedError[];
  /** HTTP status the request would get (200 unless the whole request failed). */
  status: number;
}

/**
 * Runs an operation as a real request would (tests, scripts): a token is signed (or the given
 * Authorization header is used), the context is built through `authenticate`, and errors go
 * through `formatError`.
 */
export async function executeOperation<TData = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  options: ExecuteOptions = {},
): Promise<ExecuteResult<TData>> {
  await ensureServerStarted();
  const requestId = options.requestId ?? randomUUID();
  let authorization: string | null | undefined = options.authorization;
  if (authorization === undefined) {
    if (!options.tenant) throw new Error("executeOperation needs a tenant (or an explicit authorization, null for none)");
    authorization = `Bearer ${await signLocalToken({ tenant: options.tenant, role: options.role ?? "ADMIN", sub: options.sub, staffId: options.staffId })}`;
  }
  return withRequestId(requestId, async () => {
    let contextValue: Context;
    try {
      contextValue = await buildContext({ authorization, requestId });
    } catch (error) {
      // Same treatment Apollo gives a failed context on the HTTP path.
      const e = error as { message?: string; extensions?: { http?: { status?: number } } };
      return {
        errors: [formatError({ message: String(e.message) }, error)],
        status: e.extensions?.http?.status ?? 500,
      };
    }
    const response = await server.executeOperation<TData>({ query, variables }, { contextValue });
    if (response.body.kind !== "single") throw new Error("executeOperation does not support incremental delivery");
    const { data, errors } = response.body.singleResult;
    return { data, errors, status: response.http.status ?? 200 };
  });
}

import { defaultFieldResolver, type GraphQLSchema } from "graphql";
import { DomainError } from "@growth/core/shared";
import { ROLES, type Principal, type Role } from "./auth.js";
import { reportDenied } from "./denials.js";
import { wrapResolvers } from "./wrap-resolvers.js";

/**
 * THE permission matrix: who may call each root field (`Query.x`, `Mutation.y`).
 *
 * Design: one registry object, `PERMISSIONS`, filled by `definePermissions` calls placed next
 * to the resolvers they guard (`resolvers/<area>.ts`). That is the simpler of the two options:
 * an area adds its SDL file, its resolver module and its permission entries without editing
 * shared files (only the one-line list in `resolvers/index.ts`), and the rules sit beside the
 * code they protect. It stays one matrix because:
 * - every entry goes through `definePermissions`, which rejects duplicates, unknown roles and
 *   entries without ADMIN or without a doc string;
 * - `assertMatrixCoversSchema` runs when the server module loads: a root field without an
 *   entry (or an entry for a field that does not exist) fails startup and every test;
 * - at run time a field missing from the matrix is denied (FORBIDDEN): deny by default.
 * `describePermissions()` prints the whole matrix for review.
 *
 * Roles (use the presets below so entries read as policy):
 * - ADMIN: everything;
 * - OPERATOR: day-to-day writes (members, orders, events, points, tags, stores, campaigns,
 *   content), not erase/merge/settings;
 * - ANALYST: read-only, and no personal data (`canSeePersonalData`);
 * - partner credentials: only fields whose entry says `partner: true`.
 */

export type RootField = `Query.${string}` | `Mutation.${string}`;

export interface PermissionEntry {
  /** Staff roles that may call the field. ADMIN must always be included. */
  roles: readonly Role[];
  /** Whether a partner brand's credential may call it (aggregates-only fields). */
  partner?: boolean;
  /** What the field does, for reviewers of the matrix. */
  doc: string;
}

export type PermissionMatrix = Record<RootField, PermissionEntry>;

/** Reads: every staff role. */
export const READ: readonly Role[] = Object.freeze(["ADMIN", "OPERATOR", "ANALYST"]);
/** Day-to-day writes: administrators and operators. */
export const OPERATE: readonly Role[] = Object.freeze(["ADMIN", "OPERATOR"]);
/** Settings, erase, merge and other dangerous operations: administrators only. */
export const ADMIN_ONLY: readonly Role[] = Object.freeze(["ADMIN"]);

export const PERMISSIONS: PermissionMatrix = {};

const ROOT_FIELD_KEY = /^(Query|Mutation)\.[_A-Za-z][_0-9A-Za-z]*$/;

/** Registers permission entries; call at the top level of a resolver module. Returns them. */
export function definePermissions<T extends Record<RootField, PermissionEntry>>(entries: T, matrix: PermissionMatrix = PERMISSIONS): T {
  for (const [key, entry] of Object.entries(entries) as [RootField, PermissionEntry][]) {
    if (!ROOT_FIELD_KEY.test(key)) throw new Error(`Permission key "${key}" must look like Query.field or Mutation.field`);
    if (Object.hasOwn(matrix, key)) throw new Error(`Permission for ${key} is defined twice`);
    if (!entry.doc?.trim()) throw new Error(`Permission for ${key} needs a doc string`);
    const unknown = entry.roles.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length) throw new Error(`Permission for ${key} names unknown roles: ${unknown.join(", ")}`);
    if (!entry.roles.includes("ADMIN")) throw new Error(`Permission for ${key} must include ADMIN (administrators may do everything)`);
    matrix[key] = Object.freeze({ ...entry, roles: Object.freeze([...new Set(entry.roles)]) });
  }
  return entries;
}

export function isAllowed(principal: Principal, field: string, matrix: PermissionMatrix = PERMISSIONS): boolean {
  const entry = Object.hasOwn(matrix, field) ? matrix[field as RootField] : undefined;
  if (!entry) return false;
  return principal.kind === "PARTNER" ? entry.partner === true : entry.roles.includes(principal.role);
}

/** Root fields the principal may call, sorted (shown to clients as `Viewer.permissions`). */
export function allowedFields(principal: Principal, matrix: PermissionMatrix = PERMISSIONS): RootField[] {
  return (Object.keys(matrix) as RootField[]).filter((f) => isAllowed(principal, f, matrix)).sort();
}

/** Whether the caller may see members' personal data (names, phone, email) unmasked. */
export function canSeePersonalData(principal: Principal): boolean {
  return principal.kind === "USER" && (principal.role === "ADMIN" || principal.role === "OPERATOR");
}

/** Throws UNAUTHENTICATED / FORBIDDEN unless the context's principal may call `field`. */
export function authorize(field: string, context: unknown, matrix: PermissionMatrix = PERMISSIONS): void {
  const ctx = context as { principal?: Principal; tenantId?: string } | null | undefined;
  const principal = ctx?.principal;
  if (!principal) throw new DomainError("UNAUTHENTICATED", "Authentication required");
  if (ctx.tenantId !== principal.tenantId) throw new DomainError("FORBIDDEN", "The request's tenant does not match the credential");
  if (!isAllowed(principal, field, matrix)) {
    void reportDenied(principal, field);
    const who = principal.kind === "PARTNER" ? "A partner credential" : `The ${principal.role} role`;
    throw new DomainError("FORBIDDEN", `${who} may not use ${field}`);
  }
}

/**
 * Wraps every root field resolver with `authorize`. Nested fields are reached only through a
 * root field, so they are covered by it; field-level masking uses `canSeePersonalData`.
 */
export function applyPermissions(schema: GraphQLSchema, matrix: PermissionMatrix = PERMISSIONS): GraphQLSchema {
  return wrapResolvers(schema, "roots", (config, fieldName, typeName) => {
    const field = `${typeName}.${fieldName}`;
    const resolve = config.resolve ?? defaultFieldResolver;
    return (source, args, context, info) => {
      authorize(field, context, matrix);
      return resolve(source, args, context, info);
    };
  });
}

/** Root fields of the schema, as matrix keys (Subscription included, so it cannot slip by). */
export function rootFields(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (type) for (const name of Object.keys(type.getFields())) out.push(`${type.name}.${name}`);
  }
  return out;
}

/**
 * Startup check: every root field has an entry and every entry names a real field. Throws,
 * listing what is wrong, so a field added without a permission fails startup and tests.
 */
export function assertMatrixCoversSchema(schema: GraphQLSchema, matrix: PermissionMatrix = PERMISSIONS): void {
  const fields = rootFields(schema);
  const missing = fields.filter((f) => !Object.hasOwn(matrix, f));
  const inSchema = new Set(fields);
  const stale = Object.keys(matrix).filter((k) => !inSchema.has(k));
  const problems: string[] = [];
  if (missing.length) problems.push(`root fields without a permission entry (add them with definePermissions): ${missing.join(", ")}`);
  if (stale.length) problems.push(`permission entries for fields not in the schema: ${stale.join(", ")}`);
  if (problems.length) throw new Error(`Permission matrix does not match the schema: ${problems.join("; ")}`);
}

/** The matrix as a table, one line per field, for review (`console.log(describePermissions())`). */
export function describePermissions(matrix: PermissionMatrix = PERMISSIONS): string {
  return (Object.entries(matrix) as [RootField, PermissionEntry][])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, e]) => `${field.padEnd(40)} ${e.roles.join(",").padEnd(24)} ${e.partner ? "partner" : "       "} ${e.doc}`)
    .join("\n");
}

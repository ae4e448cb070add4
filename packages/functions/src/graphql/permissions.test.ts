import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, parse } from "graphql";
import { describe, expect, it } from "vitest";
import type { Principal } from "./auth.js";
import { createLoaders } from "./context.js";
import {
  ADMIN_ONLY,
  allowedFields,
  applyPermissions,
  assertMatrixCoversSchema,
  canSeePersonalData,
  definePermissions,
  describePermissions,
  OPERATE,
  PERMISSIONS,
  READ,
  rootFields,
  type PermissionMatrix,
} from "./permissions.js";
import { executeOperation, schema } from "./server.js";
import { newTenantId } from "../test/tenant.js";

const user = (role: "ADMIN" | "OPERATOR" | "ANALYST", tenantId = "acme"): Principal => ({ kind: "USER", principalId: "u", tenantId, role });
const partner: Principal = { kind: "PARTNER", principalId: "p", tenantId: "acme", partnerId: "brand-b" };
const ctx = (principal?: Principal) => (principal ? { principal, tenantId: principal.tenantId, requestId: "r", loaders: createLoaders(principal.tenantId) } : {});

describe("the permission matrix", () => {
  it("has an entry for every Query and Mutation field of the real schema, and none extra", () => {
    expect(() => assertMatrixCoversSchema(schema)).not.toThrow();
    const fields = rootFields(schema);
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect(PERMISSIONS[f as keyof PermissionMatrix], f).toBeDefined();
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...fields].sort());
  });

  it("gives ADMIN every field", () => {
    expect(allowedFields(user("ADMIN"))).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it("keeps settings to ADMIN and lets everyone read them", () => {
    expect(PERMISSIONS["Mutation.updateTenantSettings"]?.roles).toEqual(ADMIN_ONLY);
    expect(PERMISSIONS["Query.tenantSettings"]?.roles).toEqual(READ);
  });

  it("gives ANALYST no mutations", () => {
    expect(allowedFields(user("ANALYST")).filter((f) => f.startsWith("Mutation."))).toEqual([]);
  });

  it("fails the startup check for a root field without an entry, naming it", () => {
    const s = makeExecutableSchema({ typeDefs: `type Query { a: Int, b: Int } type Mutation { c: Int }` });
    const matrix: PermissionMatrix = {};
    definePermissions({ "Query.a": { roles: READ, doc: "a" } }, matrix);
    expect(() => assertMatrixCoversSchema(s, matrix)).toThrow(/without a permission entry.*Query\.b, Mutation\.c/);
  });

  it("fails the startup check for an entry naming a field that does not exist", () => {
    const s = makeExecutableSchema({ typeDefs: `type Query { a: Int }` });
    const matrix: PermissionMatrix = {};
    definePermissions({ "Query.a": { roles: READ, doc: "a" }, "Query.gone": { roles: READ, doc: "typo" } }, matrix);
    expect(() => assertMatrixCoversSchema(s, matrix)).toThrow(/not in the schema: Query\.gone/);
  });

  it("validates entries", () => {
    const matrix: PermissionMatrix = {};
    definePermissions({ "Query.a": { roles: READ, doc: "a" } }, matrix);
    expect(() => definePermissions({ "Query.a": { roles: READ, doc: "again" } }, matrix)).toThrow(/defined twice/);
    expect(() => definePermissions({ "Query.b": { roles: ["OPERATOR"], doc: "b" } }, matrix)).toThrow(/must include ADMIN/);
    expect(() => definePermissions({ "Query.c": { roles: ["ADMIN", "ROOT" as never], doc: "c" } }, matrix)).toThrow(/unknown roles: ROOT/);
    expect(() => definePermissions({ "Query.d": { roles: READ, doc: " " } }, matrix)).toThrow(/doc string/);
    expect(() => definePermissions({ "Query.e-f": { roles: READ, doc: "x" } }, matrix)).toThrow(/must look like/);
    expect(() => definePermissions({ "Subscription.x": { roles: READ, doc: "x" } } as never, matrix)).toThrow(/must look like/);
  });

  it("describes itself for review", () => {
    expect(describePermissions()).toMatch(/Mutation\.updateTenantSettings\s+ADMIN\s/);
  });

  it("only ADMIN and OPERATOR see personal data", () => {
    expect(canSeePersonalData(user("ADMIN"))).toBe(true);
    expect(canSeePersonalData(user("OPERATOR"))).toBe(true);
    expect(canSeePersonalData(user("ANALYST"))).toBe(false);
    expect(canSeePersonalData(partner)).toBe(false);
  });
});

describe("applyPermissions", () => {
  const base = makeExecutableSchema({
    typeDefs: `type Query { open: String, known: String, unknown: String } type Mutation { write: String }`,
    resolvers: {
      Query: { open: () => "open", known: () => "known", unknown: () => "should not run" },
      Mutation: { write: () => "written" },
    },
  });
  const matrix: PermissionMatrix = {};
  definePermissions(
    {
      "Query.open": { roles: READ, partner: true, doc: "open" },
      "Query.known": { roles: READ, doc: "known" },
      "Mutation.write": { roles: OPERATE, doc: "write" },
    },
    matrix,
  );
  const guarded = applyPermissions(base, matrix);
  const run = async (source: string, principal?: Principal) => {
    const result = await execute({ schema: guarded, document: parse(source), contextValue: ctx(principal) });
    return { data: result.data, codes: result.errors?.map((e) => (e.originalError as { code?: string }).code) };
  };

  it("lets allowed roles through", async () => {
    expect(await run("{ open known }", user("ANALYST"))).toEqual({ data: { open: "open", known: "known" }, codes: undefined });
    expect(await run("mutation { write }", user("OPERATOR"))).toEqual({ data: { write: "written" }, codes: undefined });
  });

  it("denies a role outside the entry with FORBIDDEN", async () => {
    expect(await run("mutation { write }", user("ANALYST"))).toEqual({ data: { write: null }, codes: ["FORBIDDEN"] });
  });

  it("denies a field missing from the matrix to everyone, ADMIN included", async () => {
    expect(await run("{ unknown }", user("ADMIN"))).toEqual({ data: { unknown: null }, codes: ["FORBIDDEN"] });
  });

  it("answers UNAUTHENTICATED without a principal", async () => {
    expect(await run("{ open }")).toEqual({ data: { open: null }, codes: ["UNAUTHENTICATED"] });
  });

  it("lets partners use only partner fields", async () => {
    expect(await run("{ open known }", partner)).toEqual({ data: { open: "open", known: null }, codes: ["FORBIDDEN"] });
  });

  it("refuses a context whose tenant differs from the principal's", async () => {
    const result = await execute({ schema: guarded, document: parse("{ open }"), contextValue: { ...ctx(user("ADMIN", "acme")), tenantId: "other" } });
    expect((result.errors?.[0]?.originalError as { code?: string }).code).toBe("FORBIDDEN");
  });
});

describe("roles through the API", () => {
  it("refuses updateTenantSettings to OPERATOR and ANALYST with FORBIDDEN, and changes nothing", async () => {
    const tenant = newTenantId();
    for (const role of ["OPERATOR", "ANALYST"] as const) {
      const result = await executeOperation(
        `mutation { updateTenantSettings(input: { name: "Hacked" }) { settings { name } } }`,
        {},
        { tenant, role },
      );
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([
        { message: `The ${role} role may not use Mutation.updateTenantSettings`, locations: expect.any(Array), path: ["updateTenantSettings"], extensions: { code: "FORBIDDEN" } },
      ]);
    }
    const read = await executeOperation(`{ tenantSettings { name } }`, {}, { tenant, role: "ANALYST" });
    expect(read.data?.tenantSettings.name).toBe(tenant);
  });
});

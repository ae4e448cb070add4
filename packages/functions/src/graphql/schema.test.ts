import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildASTSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  lexicographicSortSchema,
  printSchema,
  validateSchema,
  type GraphQLSchema,
} from "graphql";
import { mergeTypeDefs } from "@graphql-tools/merge";
import { afterEach, describe, expect, it } from "vitest";
import { mergeResolverMaps, schema } from "./server.js";
import { buildSdlSchema, findSchemaDir, loadSchemaFiles, schemaFiles, typeDefs } from "./typedefs.js";

describe("schema files", () => {
  const saved = { SCHEMA_DIR: process.env.SCHEMA_DIR, LAMBDA_TASK_ROOT: process.env.LAMBDA_TASK_ROOT };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("loads every schema/*.graphql from the repository root, base first", () => {
    expect(findSchemaDir()).toMatch(/[\\/]schema$/);
    expect(schemaFiles[0]?.file).toBe("base.graphql");
    expect(schemaFiles.map((f) => f.file)).toContain("tenant.graphql");
  });

  it("prefers SCHEMA_DIR, then $LAMBDA_TASK_ROOT/schema", () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-"));
    writeFileSync(join(dir, "x.graphql"), "type Query { x: Int }");
    process.env.SCHEMA_DIR = dir;
    expect(findSchemaDir()).toBe(dir);
    expect(loadSchemaFiles().map((f) => f.file)).toEqual(["x.graphql"]);
    delete process.env.SCHEMA_DIR;

    const root = mkdtempSync(join(tmpdir(), "task-"));
    expect(findSchemaDir()).not.toBe(join(root, "schema")); // no schema/ there yet: falls through
    process.env.LAMBDA_TASK_ROOT = root;
    mkdirSync(join(root, "schema"));
    writeFileSync(join(root, "schema", "base.graphql"), "type Query { y: Int }");
    expect(findSchemaDir()).toBe(join(root, "schema"));
  });

  it("rejects a SCHEMA_DIR without .graphql files", () => {
    process.env.SCHEMA_DIR = mkdtempSync(join(tmpdir(), "empty-"));
    expect(() => findSchemaDir()).toThrow(/no \.graphql files/);
  });
});

describe("the executable schema", () => {
  it("is valid SDL and a valid schema, checked in full here because the server skips the SDL check at cold start", () => {
    let checked: GraphQLSchema | undefined;
    expect(() => (checked = buildASTSchema(mergeTypeDefs(typeDefs)))).not.toThrow();
    expect(validateSchema(checked!)).toEqual([]);
    expect(validateSchema(schema)).toEqual([]);
    // The server's one-document build gives the same schema as graphql-tools' merge of the files
    // (types and fields in another order, which GraphQL does not give a meaning).
    const sorted = (s: GraphQLSchema) => printSchema(lexicographicSortSchema(s));
    expect(sorted(buildSdlSchema())).toBe(sorted(checked!));
    // The check it stands in for is real: a field of an unknown type fails it.
    expect(() => buildASTSchema(mergeTypeDefs([...typeDefs, "extend type Query { broken: NoSuchType }"]))).toThrow(/Unknown type "NoSuchType"/);
  });

  it("documents every type, field, argument, input field and enum value", () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (!type.description?.trim()) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description?.trim()) missing.push(`${type.name}.${value.name}`);
      }
      if (isUnionType(type) && !type.description) missing.push(type.name);
    }
    expect(missing).toEqual([]);
  });

  it("keeps the SDL descriptions of graphql-scalars types", () => {
    expect(schema.getType("Currency")?.description).toBe("An ISO 4217 currency code (e.g. `CNY`).");
  });

  it("refuses two resolver maps defining the same field", () => {
    expect(() => mergeResolverMaps([{ Query: { a: () => 1 } }, { Query: { a: () => 2 } }])).toThrow(/Query\.a is defined twice/);
    expect(mergeResolverMaps([{ Query: { a: () => 1 } }, { Query: { b: () => 2 } }]).Query).toHaveProperty("b");
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { armor, DEFAULT_LIMITS, queryLimits } from "./limits.js";
import { executeOperation, schema } from "./server.js";

const codes = (r: { errors?: readonly { extensions?: Record<string, unknown>; message: string }[] }) => r.errors?.map((e) => `${e.extensions?.code}: ${e.message}`) ?? [];

describe("query limits", () => {
  it("refuse deep, costly, aliased, directive-heavy and token-heavy queries before running them, with a clear message", async () => {
    const tenant = newTenantId();
    // Depth 13: referrer chains nest one level each.
    let deep = "id";
    for (let i = 0; i < 12; i++) deep = `referrer { ${deep} }`;
    const cases: [string, RegExp][] = [
      [`{ member(id: "m") { ${deep} } }`, /depth/i],
      [`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { tenantId }`).join(" ")} }`, /alias/i],
      [`{ viewer { tenantId ${"@include(if: true) ".repeat(11)} } }`, /directive/i],
      [`{ viewer { ${"tenantId ".repeat(3_001)} } }`, /token/i],
      [`{ members(first: 100) { edges { node { orders(first: 100) { edges { node { items { sku } refunds { id } member { orders(first: 100) { edges { node { id } } } } } } } } } } }`, /cost/i],
    ];
    for (const [query, why] of cases) {
      const r = await executeOperation(query, {}, { tenant });
      expect(r.data ?? null, query.slice(0, 60)).toBeNull();
      const [first] = codes(r);
      expect(first, query.slice(0, 60)).toMatch(/^(GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED|BAD_REQUEST):/);
      expect(first).toMatch(why);
      expect(r.status, query.slice(0, 60)).toBe(400);
    }
    // The server still answers.
    expect((await executeOperation("{ viewer { tenantId } }", {}, { tenant })).data).toEqual({ viewer: { tenantId: tenant } });
  });

  it("let every README example through", () => {
    const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../README.md"), "utf8");
    const ops = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split(/\n\s*\n/)).filter((op) => op.trim());
    const rules = [...specifiedRules, ...armor(DEFAULT_LIMITS, false).validationRules];
    for (const op of ops) expect(validate(schema, parse(op), rules).map((e) => e.message), op.slice(0, 80)).toEqual([]);
  });

  it("read their settings from the environment and refuse nonsense", () => {
    expect(queryLimits({ GRAPHQL_MAX_DEPTH: "8" }).maxDepth).toBe(8);
    expect(queryLimits({}).maxCost).toBe(DEFAULT_LIMITS.maxCost);
    expect(() => queryLimits({ GRAPHQL_MAX_ALIASES: "zero" })).toThrow(/GRAPHQL_MAX_ALIASES/);
  });
});

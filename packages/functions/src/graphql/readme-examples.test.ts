import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "./server.js";

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../README.md");

describe("README GraphQL examples", () => {
  const blocks = [...readFileSync(README, "utf8").matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  // Each block may hold several operations separated by blank lines.
  const operations = blocks.flatMap((b) => b.split(/\n\s*\n/)).map((op) => op.replace(/"m_01J…"|"…"/g, '"m_1"')).filter((op) => op.trim());

  it("has examples", () => expect(operations.length).toBeGreaterThan(5));

  it.each(operations.map((op) => [op.trim().slice(0, 60), op]))("validates against the schema: %s", (_name, op) => {
    expect(validate(schema, parse(op)).map((e) => e.message)).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PERMISSIONS } from "./permissions.js";
import "./server.js";

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../README.md");

describe("README roles table", () => {
  it("lists exactly the permission matrix the server enforces", () => {
    const rows = readFileSync(README, "utf8")
      .split("\n")
      .filter((line) => /^\| `(Query|Mutation)\./.test(line))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    const documented = Object.fromEntries(rows.map((c) => [c[1]!.replaceAll("`", ""), [c[2], c[3], c[4], c[5]].map((x) => x === "✓")]));
    const enforced = Object.fromEntries(
      Object.entries(PERMISSIONS).map(([field, e]) => [field, [...(["ADMIN", "OPERATOR", "ANALYST"] as const).map((r) => e.roles.includes(r)), e.partner === true]]),
    );
    expect(documented).toEqual(enforced);
  });
});

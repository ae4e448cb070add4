import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { authenticate } from "../graphql/auth.js";
import { run } from "./token.js";

describe("npm run token", () => {
  it("prints a token the API accepts", async () => {
    const result = await run(["--tenant", "acme", "--role", "operator", "--sub", "alice", "--expires", "30m"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBeUndefined();
    await expect(authenticate(`Bearer ${result.stdout}`)).resolves.toEqual({ kind: "USER", principalId: "alice", tenantId: "acme", role: "OPERATOR" });
    const claims = JSON.parse(Buffer.from(String(result.stdout).split(".")[1]!, "base64url").toString());
    expect(claims.exp - claims.iat).toBe(30 * 60);
  });

  it("binds a token to a staff member with --staff (claim staffId)", async () => {
    const result = await run(["--tenant", "acme", "--role", "OPERATOR", "--sub", "lina", "--staff", "sa-lina"]);
    expect(result.code).toBe(0);
    await expect(authenticate(`Bearer ${result.stdout}`)).resolves.toEqual({ kind: "USER", principalId: "lina", tenantId: "acme", role: "OPERATOR", staffId: "sa-lina" });
    const bad = await run(["--tenant", "acme", "--role", "OPERATOR", "--staff", "a#b"]);
    expect(bad.code).toBe(2);
    expect(String(bad.stderr).split("\n")[0]).toMatch(/^error: staff must be 1-100 letters/);
  });

  it("explains bad arguments on one line, with usage, and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--role", "ADMIN"], /^error: --tenant is required$/],
      [["--tenant", "acme"], /^error: --role is required$/],
      [["--tenant", "acme", "--role", "ROOT"], /^error: --role must be one of ADMIN, OPERATOR, ANALYST \(got "ROOT"\)$/],
      [["--tenant", "a#b", "--role", "ADMIN"], /^error: tenant must be 1-64 letters/],
      [["--tenant", "acme", "--role", "ADMIN", "--expires", "forever"], /^error: expires must be a time span/],
      [["--tenant", "acme", "--role", "ADMIN", "--bogus"], /^error: Unknown option '--bogus'/],
      [["--tenant"], /^error: Option '-t, --tenant <value>' argument missing/],
      [["extra"], /^error: .*positional/i],
    ];
    for (const [args, pattern] of cases) {
      const result = await run(args);
      expect(result.code, args.join(" ")).toBe(2);
      const [first, second, third] = String(result.stderr).split("\n");
      expect(first, args.join(" ")).toMatch(pattern);
      expect(second).toMatch(/^usage: npm run token/);
      expect(third).toBeUndefined();
    }
  });

  it("runs as a script", async () => {
    const script = fileURLToPath(new URL("./token.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, "--tenant", "acme", "--role", "ANALYST"], { env: process.env });
    await expect(authenticate(`Bearer ${stdout.trim()}`)).resolves.toMatchObject({ tenantId: "acme", role: "ANALYST" });
  });
});

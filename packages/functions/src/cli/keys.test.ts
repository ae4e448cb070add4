import { createMember, getMember } from "@growth/core/member";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { parseKeysArgs, run } from "./keys.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("npm run keys", () => {
  it("parses and refuses arguments with one line", () => {
    expect(parseKeysArgs(["rotate", "--tenant", "demo"])).toEqual({ command: "rotate", tenant: "demo", segments: 4, fromFile: undefined, fromKms: false });
    expect(parseKeysArgs(["rotate"])).toBe("--tenant is required");
    expect(parseKeysArgs(["spin", "-t", "demo"])).toMatch(/unknown command/);
    expect(parseKeysArgs(["status", "-t", "a#b"])).toMatch(/not a valid tenant id/);
    expect(parseKeysArgs(["retire", "-t", "x", "--segments", "0"])).toMatch(/--segments/);
    expect(parseKeysArgs(["rewrap", "-t", "x"])).toMatch(/--from-file <path> or --from-kms/);
  });

  it("walks a tenant through a rotation: rotate, re-encrypt (refused too early), retire", async () => {
    const t = newTenantId("keys");
    const m = await createMember(t, { sourceChannel: "APP", phone: "13300133001", email: "cli@example.com" }, { actor: "test" });
    await createMember(t, { sourceChannel: "APP", phone: "13300133002" }, { actor: "test" });
    const status = capture();
    expect(await run(["status", "--tenant", t], status.io)).toBe(0);
    expect(status.out[0]).toMatch(new RegExp(`^keys ${t}: current version 1 \\(since .+\\); versions 1 \\(LOCAL local:[0-9a-f]{16}\\); index key LOCAL local:`));
    const rotate = capture();
    expect(await run(["rotate", "-t", t], rotate.io)).toBe(0);
    expect(rotate.out[0]).toBe(`keys ${t}: version 2 is current; run "npm run keys -- reencrypt --tenant ${t}" in 2 minutes, then "retire"`);
    const early = capture();
    expect(await run(["reencrypt", "-t", t], early.io)).toBe(2);
    expect(early.err[0]).toMatch(/^error: key version 2 became current \d+ s ago; re-encrypt after 120 s/);
    const re = capture();
    expect(await run(["reencrypt", "-t", t, "--segments", "2"], re.io, { minVersionAgeMs: 0 })).toBe(0);
    expect(re.out[0]).toBe(`keys ${t}: 2 members scanned, 2 re-encrypted under version 2 (0 from plaintext), 0 changed meanwhile`);
    const retire = capture();
    expect(await run(["retire", "-t", t], retire.io)).toBe(0);
    expect(retire.out[0]).toBe(`keys ${t}: ciphertexts 3 under 2; 0 plaintext; retired [1], kept [2]`);
    expect(await getMember(t, m.memberId)).toMatchObject({ phone: "+8613300133001", email: "cli@example.com" });
  });
});

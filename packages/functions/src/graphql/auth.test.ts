import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DomainError } from "@growth/core/shared";
import { newTenantId } from "../test/tenant.js";
import { authenticate, signLocalToken } from "./auth.js";
import { executeOperation } from "./server.js";

const secret = () => new TextEncoder().encode(process.env.JWT_SECRET ?? "local-dev-jwt-secret-change-me");

/** A token signed like a local one, with claims the test controls. */
async function rawToken(claims: Record<string, unknown>, opts: { key?: Uint8Array; exp?: number; iss?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(opts.iss ?? "growth-local")
    .setIssuedAt(now - 10)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(opts.key ?? secret());
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a DomainError");
}

const ENV_KEYS = ["JWT_SECRET", "JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "STAGE"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

describe("authenticate (local HS256)", () => {
  it("accepts a token from signLocalToken and returns the principal", async () => {
    const tenant = newTenantId();
    const token = await signLocalToken({ tenant, role: "OPERATOR", sub: "u-1" });
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({ kind: "USER", principalId: "u-1", tenantId: tenant, role: "OPERATOR" });
    // The scheme is case-insensitive.
    await expect(authenticate(`bearer ${token}`)).resolves.toMatchObject({ tenantId: tenant });
  });

  it("defaults sub to local-<role>", async () => {
    const token = await signLocalToken({ tenant: "acme", role: "ANALYST" });
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({ principalId: "local-analyst", role: "ANALYST" });
  });

  it("rejects a missing or malformed header with UNAUTHENTICATED", async () => {
    expect(await codeOf(authenticate(undefined))).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(await codeOf(authenticate(""))).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(await codeOf(authenticate("Basic dXNlcjpwYXNz"))).toMatchObject({ code: "UNAUTHENTICATED", message: "The Authorization header must be 'Bearer <token>'" });
    expect(await codeOf(authenticate("Bearer not a token"))).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(await codeOf(authenticate("Bearer abc.def.ghi"))).toMatchObject({ code: "UNAUTHENTICATED", message: "The token is invalid" });
  });

  it("rejects a bad signature", async () => {
    const token = await rawToken({ sub: "u", tenant: "acme", role: "ADMIN" }, { key: new TextEncoder().encode("another-secret-another-secret-123") });
    expect(await codeOf(authenticate(`Bearer ${token}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token is invalid" });
  });

  it("rejects a token whose payload was edited", async () => {
    const token = await signLocalToken({ tenant: "acme", role: "ANALYST" });
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "ADMIN" })).toString("base64url");
    expect(await codeOf(authenticate(`Bearer ${h}.${forged}.${s}`))).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("rejects an expired token", async () => {
    const token = await rawToken({ sub: "u", tenant: "acme", role: "ADMIN" }, { exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await codeOf(authenticate(`Bearer ${token}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token has expired" });
  });

  it("rejects a token without exp, or from another issuer", async () => {
    const noExp = await new SignJWT({ sub: "u", tenant: "acme", role: "ADMIN" }).setProtectedHeader({ alg: "HS256" }).setIssuer("growth-local").sign(secret());
    expect(await codeOf(authenticate(`Bearer ${noExp}`))).toMatchObject({ code: "UNAUTHENTICATED" });
    const other = await rawToken({ sub: "u", tenant: "acme", role: "ADMIN" }, { iss: "someone-else" });
    expect(await codeOf(authenticate(`Bearer ${other}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's iss claim is missing or invalid" });
  });

  it("rejects an unsigned (alg none) token", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const body = Buffer.from(JSON.stringify({ sub: "u", tenant: "acme", role: "ADMIN", iss: "growth-local", exp: 9999999999 })).toString("base64url");
    expect(await codeOf(authenticate(`Bearer ${header}.${body}.`))).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("rejects a malformed tenant claim", async () => {
    for (const tenant of ["a#b", "", "x".repeat(65), "T#other", 42]) {
      const token = await rawToken({ sub: "u", tenant, role: "ADMIN" });
      expect(await codeOf(authenticate(`Bearer ${token}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's tenant claim is missing or invalid" });
    }
    const missing = await rawToken({ sub: "u", role: "ADMIN" });
    expect(await codeOf(authenticate(`Bearer ${missing}`))).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("reads an optional staffId claim and rejects a malformed one", async () => {
    const bound = await rawToken({ sub: "u", tenant: "acme", role: "OPERATOR", staffId: "sa-lina" });
    expect(await authenticate(`Bearer ${bound}`)).toEqual({ kind: "USER", principalId: "u", tenantId: "acme", role: "OPERATOR", staffId: "sa-lina" });
    for (const staffId of ["a#b", "", "x".repeat(101), 7]) {
      const token = await rawToken({ sub: "u", tenant: "acme", role: "OPERATOR", staffId });
      expect(await codeOf(authenticate(`Bearer ${token}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's staffId claim is invalid" });
    }
  });

  it("rejects a role that is not allowed", async () => {
    for (const role of ["SUPERUSER", "admin", "PARTNER", undefined]) {
      const token = await rawToken({ sub: "u", tenant: "acme", role });
      expect(await codeOf(authenticate(`Bearer ${token}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's role claim is missing or invalid" });
    }
  });

  it("rejects a missing or malformed sub", async () => {
    const token = await rawToken({ tenant: "acme", role: "ADMIN" });
    expect(await codeOf(authenticate(`Bearer ${token}`))).toMatchObject({ code: "UNAUTHENTICATED" });
    const spaced = await rawToken({ sub: "has space", tenant: "acme", role: "ADMIN" });
    expect(await codeOf(authenticate(`Bearer ${spaced}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's sub claim is missing or invalid" });
  });

  it("checks the audience when JWT_AUDIENCE is set", async () => {
    const before = await signLocalToken({ tenant: "acme", role: "ADMIN" });
    process.env.JWT_AUDIENCE = "growth-api";
    expect(await codeOf(authenticate(`Bearer ${before}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token's aud claim is missing or invalid" });
    const after = await signLocalToken({ tenant: "acme", role: "ADMIN" });
    await expect(authenticate(`Bearer ${after}`)).resolves.toMatchObject({ tenantId: "acme" });
  });

  it("refuses the development secret in a deployed stage", async () => {
    const token = await signLocalToken({ tenant: "acme", role: "ADMIN" });
    process.env.STAGE = "prod";
    delete process.env.JWT_SECRET;
    const error = await authenticate(`Bearer ${token}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DomainError);
    expect((error as Error).message).toMatch(/must be set in a deployed stage/);
  });

  it("validates signLocalToken input", async () => {
    await expect(signLocalToken({ tenant: "bad#tenant", role: "ADMIN" })).rejects.toThrow(/tenant must be/);
    await expect(signLocalToken({ tenant: "acme", role: "ROOT" as never })).rejects.toThrow(/role must be one of/);
    await expect(signLocalToken({ tenant: "acme", role: "ADMIN", expiresIn: "soon" })).rejects.toThrow(/expires must be/);
  });
});

describe("authenticate (JWKS)", () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  let ecKey: CryptoKey;

  beforeAll(async () => {
    const rsa = await generateKeyPair("RS256");
    const ec = await generateKeyPair("ES256");
    privateKey = rsa.privateKey;
    ecKey = ec.privateKey;
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    jwksServer.closeAllConnections();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const cloudEnv = () => Object.assign(process.env, { JWT_JWKS_URL: jwksUrl, JWT_ISSUER: "https://idp.example.com/", JWT_AUDIENCE: "growth-api", STAGE: "prod" });

  const idpToken = (key: CryptoKey, alg: "RS256" | "ES256", kid: string, claims: Record<string, unknown>, iss = "https://idp.example.com/") =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer(iss).setAudience("growth-api").setSubject("user-42").setIssuedAt().setExpirationTime("5m").sign(key);

  it("accepts RS256 and ES256 tokens from the identity provider", async () => {
    cloudEnv();
    const rs = await idpToken(privateKey, "RS256", "rsa-1", { tenant: "acme", role: "ANALYST" });
    await expect(authenticate(`Bearer ${rs}`)).resolves.toEqual({ kind: "USER", principalId: "user-42", tenantId: "acme", role: "ANALYST" });
    const es = await idpToken(ecKey, "ES256", "ec-1", { tenant: "acme", role: "ADMIN" });
    await expect(authenticate(`Bearer ${es}`)).resolves.toMatchObject({ role: "ADMIN" });
  });

  it("rejects a wrong issuer, and HS256 tokens", async () => {
    cloudEnv();
    const wrongIssuer = await idpToken(privateKey, "RS256", "rsa-1", { tenant: "acme", role: "ADMIN" }, "https://evil.example.com/");
    expect(await codeOf(authenticate(`Bearer ${wrongIssuer}`))).toMatchObject({ code: "UNAUTHENTICATED" });
    const hs = await new SignJWT({ tenant: "acme", role: "ADMIN" }).setProtectedHeader({ alg: "HS256" }).setIssuer("https://idp.example.com/").setAudience("growth-api").setSubject("u").setExpirationTime("5m").sign(secret());
    expect(await codeOf(authenticate(`Bearer ${hs}`))).toEqual({ code: "UNAUTHENTICATED", message: "The token is invalid" });
    await expect(signLocalToken({ tenant: "acme", role: "ADMIN" })).rejects.toThrow(/JWT_JWKS_URL is set/);
  });

  it("is RETRYABLE when the key set cannot be fetched", async () => {
    cloudEnv();
    process.env.JWT_JWKS_URL = "http://127.0.0.1:9/unreachable.json";
    const token = await idpToken(privateKey, "RS256", "rsa-1", { tenant: "acme", role: "ADMIN" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await codeOf(authenticate(`Bearer ${token}`))).toMatchObject({ code: "RETRYABLE" });
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("authentication through the API", () => {
  it("answers 401 UNAUTHENTICATED without a token, and for an expired one", async () => {
    const none = await executeOperation("{ viewer { tenantId } }", {}, { authorization: null });
    expect(none.status).toBe(401);
    expect(none.data).toBeUndefined();
    expect(none.errors).toEqual([{ message: expect.stringMatching(/Authentication required/), extensions: { code: "UNAUTHENTICATED" } }]);

    const expired = await rawToken({ sub: "u", tenant: "acme", role: "ADMIN" }, { exp: Math.floor(Date.now() / 1000) - 60 });
    const result = await executeOperation("{ viewer { tenantId } }", {}, { authorization: `Bearer ${expired}` });
    expect(result.errors?.[0]).toEqual({ message: "The token has expired", extensions: { code: "UNAUTHENTICATED" } });
  });

  it("shows the caller in viewer", async () => {
    const tenant = newTenantId();
    const result = await executeOperation("{ viewer { principalId tenantId role canSeePersonalData permissions } }", {}, { tenant, role: "ANALYST", sub: "ana" });
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer).toEqual({
      principalId: "ana",
      tenantId: tenant,
      role: "ANALYST",
      canSeePersonalData: false,
      permissions: expect.arrayContaining(["Query.viewer", "Query.tenantSettings"]),
    });
    expect(result.data?.viewer.permissions).not.toContain("Mutation.updateTenantSettings");
  });
});

describe("verified-token cache", () => {
  it("answers a repeated token from the cache, but never across a configuration change or past exp", async () => {
    const tenant = newTenantId("jwtc");
    const token = await rawToken({ sub: "u-1", tenant, role: "OPERATOR" });
    expect(await authenticate(`Bearer ${token}`)).toEqual({ kind: "USER", principalId: "u-1", tenantId: tenant, role: "OPERATOR" });
    expect(await authenticate(`Bearer ${token}`)).toEqual({ kind: "USER", principalId: "u-1", tenantId: tenant, role: "OPERATOR" });
    // Another secret: the token verified under the old one is checked again, and refused.
    process.env.JWT_SECRET = "another-secret-of-at-least-32-characters-0123";
    expect(await codeOf(authenticate(`Bearer ${token}`))).toMatchObject({ code: "UNAUTHENTICATED" });
    // A token already expired (beyond the clock tolerance) is never cached as valid.
    const expired = await rawToken({ sub: "u-2", tenant, role: "OPERATOR" }, { exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await codeOf(authenticate(`Bearer ${expired}`))).toMatchObject({ code: "UNAUTHENTICATED", message: "The token has expired" });
  });
});

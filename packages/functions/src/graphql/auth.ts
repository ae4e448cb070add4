import { webcrypto } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyOptions } from "jose";
import { isDeployed } from "@growth/core/shared";
import { looksLikePartnerKey, verifyPartnerKey } from "@growth/core/partner";
import { DomainError } from "@growth/core/shared";
import { logError } from "./errors.js";

/**
 * Who is calling. Every request carries a JWT (`Authorization: Bearer <token>`) with claims
 * `sub` (the principal), `tenant` (the brand) and `role`, or a partner brand's API key
 * (`Authorization: Bearer pdk.<tenant>.<keyId>.<secret>`), checked against its stored hash.
 *
 * Verification:
 * - cloud (`JWT_JWKS_URL` set): RS256/ES256 against the identity provider's JWKS, issuer
 *   `JWT_ISSUER` (required), audience `JWT_AUDIENCE` when set;
 * - otherwise HS256 with `JWT_SECRET`; locally (not `isDeployed()`) a development secret is
 *   used when it is unset. Local tokens come from `signLocalToken` (`npm run token`).
 * Any failure is a DomainError UNAUTHENTICATED with a short message that reveals nothing
 * about keys; an unreachable JWKS is RETRYABLE (and logged); a misconfiguration is a plain
 * Error, so the client sees "Internal server error" and the log says what is missing.
 */

export const ROLES = ["ADMIN", "OPERATOR", "ANALYST"] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  /**
   * A brand user. `staffId` (claim `staffId`) binds the token to a staff member: an OPERATOR so
   * bound sees and changes only the members that staff member owns (member-scope.ts).
   */
  | { kind: "USER"; principalId: string; tenantId: string; role: Role; staffId?: string }
  /** A partner brand's API key (co-marketing): sees only its joint campaigns, as aggregates. */
  | { kind: "PARTNER"; principalId: string; tenantId: string; partnerId: string };

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Printable ASCII without spaces: covers UUIDs, `auth0|...`, Cognito subs. */
const SUBJECT_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** Staff ids are client-style ids (core/src/staff). */
const STAFF_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;
const MAX_HEADER_LENGTH = 8192;
const CLOCK_TOLERANCE_SECONDS = 5;
const LOCAL_ISSUER = "growth-local";
const DEV_JWT_SECRET = "local-dev-jwt-secret-change-me";

export const isRole = (value: unknown): value is Role => typeof value === "string" && (ROLES as readonly string[]).includes(value);

const unauthenticated = (message: string) => new DomainError("UNAUTHENTICATED", message);

export async function authenticate(authorizationHeader?: string | null): Promise<Principal> {
  const token = bearerToken(authorizationHeader);
  if (looksLikePartnerKey(token)) {
    const { tenantId, partnerId, keyId } = await verifyPartnerKey(token);
    return { kind: "PARTNER", principalId: `partner:${partnerId}:${keyId}`, tenantId, partnerId };
  }
  const payload = await verifyToken(token);
  return principalFromClaims(payload);
}

function bearerToken(header: string | null | undefined): string {
  if (header === undefined || header === null || header.trim() === "") {
    throw unauthenticated("Authentication required: send an 'Authorization: Bearer <token>' header");
  }
  const match = header.length <= MAX_HEADER_LENGTH ? /^\s*Bearer +([A-Za-z0-9_\-.]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw unauthenticated("The Authorization header must be 'Bearer <token>'");
  return match[1];
}

// --- verification ----------------------------------------------------------------------

type Verifier =
  | { mode: "jwks"; url: string; issuer: string; audience?: string }
  | { mode: "hs256"; secret: Uint8Array; issuer: string; audience?: string };

/**
 * The verifier for the current configuration, built once per configuration (not per request):
 * the environment is read and the secret encoded once, and the HS256 key imported once below.
 */
let current: { config: string; verifier: Verifier } | undefined;

function verifier(): Verifier {
  const env = process.env;
  const config = [env.JWT_AUDIENCE, env.JWT_JWKS_URL, env.JWT_ISSUER, env.JWT_SECRET, isDeployed()].join("\u0000");
  if (current?.config !== config) current = { config, verifier: buildVerifier() };
  return current.verifier;
}

/** HS256 verification keys, imported once per secret (jose would import a raw secret on every call). */
const hmacKeys = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

function hmacVerifyKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

function buildVerifier(): Verifier {
  const audience = process.env.JWT_AUDIENCE || undefined;
  const jwksUrl = process.env.JWT_JWKS_URL;
  if (jwksUrl) {
    const issuer = process.env.JWT_ISSUER;
    if (!issuer) throw new Error("JWT_ISSUER must be set when JWT_JWKS_URL is set");
    return { mode: "jwks", url: jwksUrl, issuer, audience };
  }
  return { mode: "hs256", secret: hmacSecret(), issuer: process.env.JWT_ISSUER || LOCAL_ISSUER, audience };
}

function hmacSecret(): Uint8Array {
  const secret = process.env.JWT_SECRET;
  if (secret) {
    if (isDeployed() && secret.length < 32) throw new Error("JWT_SECRET must be at least 32 characters in a deployed stage");
    return new TextEncoder().encode(secret);
  }
  if (isDeployed()) throw new Error("JWT_JWKS_URL (or JWT_SECRET) must be set in a deployed stage");
  return new TextEncoder().encode(DEV_JWT_SECRET);
}

/** One key set per process (jose caches the keys and refetches on an unknown `kid`). */
let remoteKeys: { url: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;

function remoteKeySet(url: string): ReturnType<typeof createRemoteJWKSet> {
  if (remoteKeys?.url !== url) remoteKeys = { url, keys: createRemoteJWKSet(new URL(url)) };
  return remoteKeys.keys;
}

/**
 * Tokens verified in this process, for at most a minute and never past their `exp`: a client
 * sends the same token with every request, and its signature check (a WebCrypto HMAC or RSA /
 * ECDSA verification) is per-request work that can be done once. Keyed by the whole token (so
 * by its signature) and the verifier's configuration; bounded, oldest dropped first.
 */
const verified = new Map<string, { config: string; until: number; payload: JWTPayload }>();
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

async function verifyToken(token: string): Promise<JWTPayload> {
  const v = verifier();
  const config = current!.config;
  const hit = verified.get(token);
  if (hit && hit.config === config && Date.now() < hit.until) return hit.payload;
  const payload = await verifySignature(token, v);
  const until = Math.min(Date.now() + VERIFIED_TTL_MS, typeof payload.exp === "number" ? payload.exp * 1000 : 0);
  if (until > Date.now()) {
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(token, { config, until, payload });
  }
  return payload;
}

async function verifySignature(token: string, v: Verifier): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    issuer: v.issuer,
    ...(v.audience ? { audience: v.audience } : {}),
    requiredClaims: ["sub", "exp"],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };
  try {
    if (v.mode === "jwks") {
      return (await jwtVerify(token, remoteKeySet(v.url), { ...options, algorithms: ["RS256", "ES256"] })).payload;
    }
    return (await jwtVerify(token, await hmacVerifyKey(v.secret), { ...options, algorithms: ["HS256"] })).payload;
  } catch (error) {
    throw verificationError(error, v.mode);
  }
}

const KEY_SOURCE_FAILURES = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

function verificationError(error: unknown, mode: Verifier["mode"]): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("ERR_J")) {
    if (code === "ERR_JWT_EXPIRED") return unauthenticated("The token has expired");
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
      const claim = (error as { claim?: unknown }).claim;
      return unauthenticated(typeof claim === "string" ? `The token's ${claim} claim is missing or invalid` : "The token's claims are invalid");
    }
    if (mode === "jwks" && KEY_SOURCE_FAILURES.has(code)) return keySourceDown(error);
    return unauthenticated("The token is invalid");
  }
  // Not from jose: the key set could not be fetched (network), or a bug.
  if (mode === "jwks") return keySourceDown(error);
  return error instanceof Error ? error : new Error(String(error));
}

function keySourceDown(error: unknown): DomainError {
  logError("could not fetch the JWKS to verify a token", error);
  return new DomainError("RETRYABLE", "Could not verify the token right now; try again shortly");
}

function principalFromClaims(payload: JWTPayload): Principal {
  const { sub, tenant, role, staffId } = payload as JWTPayload & { tenant?: unknown; role?: unknown; staffId?: unknown };
  if (typeof sub !== "string" || !SUBJECT_PATTERN.test(sub)) throw unauthenticated("The token's sub claim is missing or invalid");
  if (typeof tenant !== "string" || !TENANT_ID_PATTERN.test(tenant)) throw unauthenticated("The token's tenant claim is missing or invalid");
  if (!isRole(role)) throw unauthenticated("The token's role claim is missing or invalid");
  if (staffId !== undefined && (typeof staffId !== "string" || !STAFF_ID_PATTERN.test(staffId))) throw unauthenticated("The token's staffId claim is invalid");
  return { kind: "USER", principalId: sub, tenantId: tenant, role, ...(staffId ? { staffId } : {}) };
}

// --- local tokens ----------------------------------------------------------------------

export interface LocalTokenInput {
  tenant: string;
  role: Role;
  /** Defaults to `local-<role>` (e.g. `local-admin`). */
  sub?: string;
  /** A jose time span: "12h" (default), "30m", "7d". */
  expiresIn?: string;
  /** Binds the token to a staff member (claim `staffId`). */
  staffId?: string;
}

/**
 * Signs an HS256 token the API accepts when it is not using a JWKS: for `npm run token`, tests
 * and `npm start`. Throws a plain Error with a one-line reason on bad input.
 */
export async function signLocalToken({ tenant, role, sub, expiresIn = "12h", staffId }: LocalTokenInput): Promise<string> {
  if (!TENANT_ID_PATTERN.test(tenant)) throw new Error(`tenant must be 1-64 letters, digits, '_' or '-' (got "${tenant}")`);
  if (!isRole(role)) throw new Error(`role must be one of ${ROLES.join(", ")} (got "${String(role)}")`);
  const subject = sub ?? `local-${role.toLowerCase()}`;
  if (!SUBJECT_PATTERN.test(subject)) throw new Error(`sub must be 1-128 printable characters without spaces (got "${subject}")`);
  if (staffId !== undefined && !STAFF_ID_PATTERN.test(staffId)) throw new Error(`staff must be 1-100 letters, digits or _.:- (got "${staffId}")`);
  const v = verifier();
  if (v.mode !== "hs256") throw new Error("JWT_JWKS_URL is set: the API only accepts tokens from the identity provider");
  let jwt = new SignJWT({ tenant, role, ...(staffId ? { staffId } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(subject)
    .setIssuer(v.issuer)
    .setIssuedAt();
  if (v.audience) jwt = jwt.setAudience(v.audience);
  try {
    jwt = jwt.setExpirationTime(expiresIn);
  } catch {
    throw new Error(`expires must be a time span like 30m, 12h or 7d (got "${expiresIn}")`);
  }
  return jwt.sign(v.secret);
}

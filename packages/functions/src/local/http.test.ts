import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signLocalToken } from "../graphql/auth.js";
import { newTenantId } from "../test/tenant.js";
import { startHttpServer, type RunningHttpServer } from "./http.js";

let running: RunningHttpServer;
let token: string;
const tenant = newTenantId();

beforeAll(async () => {
  running = await startHttpServer({ port: 0 });
  token = await signLocalToken({ tenant, role: "ADMIN" });
});
afterAll(() => running.stop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(running.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("local HTTP server", () => {
  it("listens on a free port at /graphql", () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(running.port).toBeGreaterThan(0);
  });

  it("answers a POST with a token, with an x-request-id", async () => {
    const res = await post({ query: "{ viewer { tenantId role } tenantSettings { currency } }" }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await json(res)).toEqual({ data: { viewer: { tenantId: tenant, role: "ADMIN" }, tenantSettings: { currency: "CNY" } } });
  });

  it("answers 401 UNAUTHENTICATED to a POST without a token", async () => {
    const res = await post({ query: "{ viewer { tenantId } }" });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const body = await json(res);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("gives each request its own id", async () => {
    const [a, b] = await Promise.all([post({ query: "{ viewer { tenantId } }" }), post({ query: "{ viewer { tenantId } }" })]);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
  });

  it("rejects a mutation over GET", async () => {
    const query = encodeURIComponent(`mutation { updateTenantSettings(input: { name: "Via GET" }) { settings { name } } }`);
    const res = await fetch(`${running.url}?query=${query}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" } });
    expect(res.status).toBe(405);
    expect((await json(res)).errors[0].extensions.code).toBe("BAD_REQUEST");
    // Without the preflight header, CSRF prevention refuses it even earlier.
    const simple = await fetch(`${running.url}?query=${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(simple.status).toBe(400);
    // And nothing changed.
    const read = await post({ query: "{ tenantSettings { name } }" }, { authorization: `Bearer ${token}` });
    expect((await json(read)).data.tenantSettings.name).toBe(tenant);
  });

  it("allows a query over GET (with the CSRF preflight header)", async () => {
    const res = await fetch(`${running.url}?query=${encodeURIComponent("{ viewer { role } }")}`, {
      headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ data: { viewer: { role: "ADMIN" } } });
  });

  it("serves the landing page to a browser locally", async () => {
    const res = await fetch(running.url, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
  });

  it("answers 404 elsewhere, 400 to invalid JSON and 204 to a CORS preflight", async () => {
    const other = await fetch(running.url.replace("/graphql", "/other"), { method: "POST" });
    expect(other.status).toBe(404);
    const bad = await fetch(running.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    const options = await fetch(running.url, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("access-control-allow-headers")).toContain("authorization");
  });
});

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient, tableName } from "@growth/core/db/client";
import { minuteOf, rateKeys } from "@growth/core/ratelimit";
import { startHttpServer, type RunningHttpServer } from "../local/http.js";
import { newTenantId } from "../test/tenant.js";
import { signLocalToken, type Principal } from "./auth.js";
import { RateLimiter, rateLimits } from "./rate-limit.js";

// The shared limiter of this process (built at the first request) allows 3 a minute per staff principal.
process.env.RATE_LIMIT_PER_MINUTE = "3";

const codeOf = (f: () => void) => {
  try {
    f();
    return "OK";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};
const stored = async (p: Principal, minute: string) =>
  Number((await documentClient().send(new GetCommand({ TableName: tableName(), Key: rateKeys.minute(p.tenantId, p.principalId, minute), ConsistentRead: true }))).Item?.requests ?? 0);

describe("per-principal rate limits", () => {
  it("are read from the environment: on with defaults when deployed, off locally unless set, refused when malformed", () => {
    expect(rateLimits({}, true)).toEqual({ perMinute: 600, partnerPerMinute: 300 });
    expect(rateLimits({}, false)).toEqual({ perMinute: 0, partnerPerMinute: 0 });
    expect(rateLimits({ RATE_LIMIT_PER_MINUTE: "50", PARTNER_RATE_LIMIT_PER_MINUTE: "0" }, true)).toEqual({ perMinute: 50, partnerPerMinute: 0 });
    expect(() => rateLimits({ RATE_LIMIT_PER_MINUTE: "lots" }, true)).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });

  it("hold across containers, which share a counter per principal and minute, to within one report", async () => {
    const tenantId = newTenantId("rate");
    const p: Principal = { kind: "USER", principalId: "op-1", tenantId, role: "OPERATOR" };
    const other: Principal = { ...p, principalId: "op-2" };
    const start = Date.parse("2030-01-01T08:00:00.000Z");
    const [a, b] = [new RateLimiter({ perMinute: 10, partnerPerMinute: 2 }), new RateLimiter({ perMinute: 10, partnerPerMinute: 2 })];
    const admit = async (l: RateLimiter, who: Principal, second: number) => {
      const code = codeOf(() => l.admit(who, start + second * 1000));
      await l.settled();
      return code;
    };
    // Container A serves 6 (one a second: each is reported), then B serves 4 more: 10 in all.
    for (let s = 0; s < 6; s++) expect(await admit(a, p, s)).toBe("OK");
    for (let s = 6; s < 10; s++) expect(await admit(b, p, s)).toBe("OK");
    expect(await stored(p, minuteOf(start))).toBe(10);
    expect(await admit(b, p, 10)).toBe("RATE_LIMITED"); // B knows the total
    // A last saw 6: it admits one more before its report brings back 11, then refuses too.
    expect(await admit(a, p, 11)).toBe("OK");
    expect(await admit(a, p, 12)).toBe("RATE_LIMITED");
    expect(await stored(p, minuteOf(start))).toBe(11);
    // The error says when to come back.
    let refused: unknown;
    try {
      a.admit(p, start + 12_500);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: 48 } });
    // Another principal, and the next minute, start from zero.
    expect(await admit(a, other, 13)).toBe("OK");
    expect(await admit(a, p, 60)).toBe("OK");
    // Partner keys have their own limit.
    const partner: Principal = { kind: "PARTNER", principalId: "partner:p1:k1", tenantId, partnerId: "p1" };
    expect([await admit(a, partner, 0), await admit(a, partner, 1), await admit(a, partner, 2)]).toEqual(["OK", "OK", "RATE_LIMITED"]);
  });
});

describe("a rate-limited request over HTTP", () => {
  let running: RunningHttpServer;
  beforeAll(async () => {
    running = await startHttpServer({ port: 0 });
  });
  afterAll(() => running.stop());

  it("gets 429 with Retry-After and RATE_LIMITED, and nothing runs", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await signLocalToken({ tenant: newTenantId("rate"), role: "ADMIN" });
      const minute = minuteOf(Date.now());
      const send = () => fetch(running.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ viewer { role } }" }) });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await send());
      if (minuteOf(Date.now()) !== minute) continue; // the minute turned mid-way: its count restarted
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      const refused = answers[3]!;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await refused.json()) as { data?: unknown; errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
      expect(body.data).toBeUndefined();
      expect(body.errors[0]!.extensions).toMatchObject({ code: "RATE_LIMITED" });
      console.log(`rate limit over HTTP: 3 admitted, the 4th refused with 429, Retry-After ${refused.headers.get("retry-after")} s`);
      return;
    }
    throw new Error("the minute turned twice during the test");
  });
});

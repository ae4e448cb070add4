import DataLoader from "dataloader";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { signLocalToken } from "./auth.js";
import { buildContext, createLoaders, defineLoader } from "./context.js";

describe("per-request DataLoaders", () => {
  it("memoises a loader per key within a request, and not across requests", () => {
    const loaders = createLoaders("acme");
    let made = 0;
    const factory = () => {
      made += 1;
      return new DataLoader<string, string>(async (keys) => keys.map((k) => k.toUpperCase()));
    };
    const first = loaders.get("thing.byId", factory);
    expect(loaders.get("thing.byId", factory)).toBe(first);
    expect(made).toBe(1);
    expect(createLoaders("acme").get("thing.byId", factory)).not.toBe(first);
    expect(made).toBe(2);
  });

  it("defineLoader batches per request and hands the factory the request's tenant", async () => {
    const batches: { tenantId: string; keys: readonly string[] }[] = [];
    const byId = defineLoader("test.byId", (tenantId) => new DataLoader<string, string>(async (keys) => {
      batches.push({ tenantId, keys });
      return keys.map((k) => `${tenantId}:${k}`);
    }));
    const ctxA = { loaders: createLoaders("tenantA") };
    const ctxB = { loaders: createLoaders("tenantB") };
    const values = await Promise.all([byId(ctxA).load("1"), byId(ctxA).load("2"), byId(ctxB).load("1")]);
    expect(values).toEqual(["tenantA:1", "tenantA:2", "tenantB:1"]);
    expect(batches).toEqual([
      { tenantId: "tenantA", keys: ["1", "2"] },
      { tenantId: "tenantB", keys: ["1"] },
    ]);
    expect(() => defineLoader("test.byId", () => new DataLoader(async (k: readonly string[]) => k))).toThrow(/already defined/);
  });
});

describe("buildContext", () => {
  it("authenticates and scopes the context to the token's tenant", async () => {
    const token = await signLocalToken({ tenant: "acme", role: "ANALYST", sub: "ana" });
    const ctx = await buildContext({ authorization: `Bearer ${token}`, requestId: "r-1" });
    expect(ctx).toMatchObject({ tenantId: "acme", requestId: "r-1", principal: { kind: "USER", principalId: "ana", tenantId: "acme", role: "ANALYST" } });
    expect(ctx.loaders.tenantId).toBe("acme");
  });

  it("fails the request with UNAUTHENTICATED and HTTP 401", async () => {
    const error = await buildContext({ authorization: undefined, requestId: "r-2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: "UNAUTHENTICATED", http: { status: 401 } });
  });
});

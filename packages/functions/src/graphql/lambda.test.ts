import { describe, expect, it } from "vitest";
import { apiGatewayEvent as event, lambdaContext } from "../test/lambda-event.js";
import { newTenantId } from "../test/tenant.js";
import { signLocalToken } from "./auth.js";
import { handler } from "./lambda.js";


describe("Lambda handler", () => {
  it("answers an authenticated query and echoes the request id", async () => {
    const tenant = newTenantId();
    const token = await signLocalToken({ tenant, role: "OPERATOR", sub: "op-1" });
    const result = await handler(event({ query: "{ viewer { principalId tenantId role } }" }, { authorization: `Bearer ${token}` }), lambdaContext("aws-req-1"));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.["x-request-id"]).toBe("aws-req-1");
    expect(JSON.parse(String(result.body))).toEqual({ data: { viewer: { principalId: "op-1", tenantId: tenant, role: "OPERATOR" } } });
  });

  it("answers 401 UNAUTHENTICATED without a token", async () => {
    const result = await handler(event({ query: "{ viewer { tenantId } }" }), lambdaContext("aws-req-2"));
    expect(result.statusCode).toBe(401);
    const body = JSON.parse(String(result.body));
    expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("refuses a body over 1 MB with 413 before parsing it, and a batched request", async () => {
    const ctx = lambdaContext("req-big");
    const big = await handler(event({ query: `{ viewer { tenantId } }`, padding: "x".repeat(1024 * 1024) }), ctx);
    expect(big.statusCode).toBe(413);
    expect(JSON.parse(big.body!).errors[0].extensions.code).toBe("BAD_REQUEST");
    const token = await signLocalToken({ tenant: newTenantId(), role: "ADMIN" });
    const batched = await handler(event([{ query: "{ viewer { tenantId } }" }, { query: "{ viewer { role } }" }], { authorization: `Bearer ${token}` }), lambdaContext("req-batch"));
    expect(batched.statusCode).toBe(400);
  });
});

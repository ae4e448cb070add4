import type { APIGatewayProxyEventV2, Context as LambdaContext } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { signLocalToken } from "./auth.js";
import { handler } from "./lambda.js";

function event(body: unknown, headers: Record<string, string> = {}, method = "POST"): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/graphql",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    requestContext: {
      accountId: "123",
      apiId: "api",
      domainName: "example.com",
      domainPrefix: "example",
      http: { method, path: "/graphql", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "apigw-1",
      routeKey: "$default",
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const lambdaContext = (awsRequestId: string) => ({ awsRequestId }) as LambdaContext;

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
    const ctx = { awsRequestId: "req-big" } as LambdaContext;
    const big = await handler(event({ query: `{ viewer { tenantId } }`, padding: "x".repeat(1024 * 1024) }), ctx);
    expect(big.statusCode).toBe(413);
    expect(JSON.parse(big.body!).errors[0].extensions.code).toBe("BAD_REQUEST");
    const token = await signLocalToken({ tenant: newTenantId(), role: "ADMIN" });
    const batched = await handler(event([{ query: "{ viewer { tenantId } }" }, { query: "{ viewer { role } }" }], { authorization: `Bearer ${token}` }), { awsRequestId: "req-batch" } as LambdaContext);
    expect(batched.statusCode).toBe(400);
  });
});

import type { APIGatewayProxyEventV2, Context as LambdaContext } from "aws-lambda";

/** A `POST /graphql` (or other method) as API Gateway's HTTP API (payload v2) hands it to the Lambda: for tests and the API benchmark. */
export function apiGatewayEvent(body: unknown, headers: Record<string, string> = {}, method = "POST"): APIGatewayProxyEventV2 {
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


/** The part of the Lambda context the handler reads. */
export const lambdaContext = (awsRequestId: string) => ({ awsRequestId }) as LambdaContext;

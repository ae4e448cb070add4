import { handlers, startServerAndCreateLambdaHandler } from "@as-integrations/aws-lambda";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from "aws-lambda";
import { deriveCursorSecret } from "@growth/core/shared";
import { buildContext } from "./context.js";
import { withRequestId } from "./errors.js";
import { server } from "./server.js";

// In AWS the cursor HMAC key is derived from the stage's KMS HMAC key once per container,
// before the first request (core/src/shared/cursor-key.ts).
if (!process.env.CURSOR_SECRET && process.env.CURSOR_KMS_KEY_ID) {
  process.env.CURSOR_SECRET = await deriveCursorSecret(process.env.CURSOR_KMS_KEY_ID);
}

/**
 * The API's Lambda entry point (API Gateway HTTP API, payload v2). The server is built and
 * started once per container, when this module loads.
 */
const graphqlHandler = startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
  context: async ({ event, context }) =>
    buildContext({
      authorization: event.headers?.authorization ?? event.headers?.Authorization,
      requestId: context.awsRequestId,
    }),
});

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Runs each invocation in a request scope (so masked errors and logs carry the Lambda request
 * id) and echoes that id in `x-request-id`.
 */
export const handler = async (event: APIGatewayProxyEventV2, context: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> => {
  // The same body limit as the local server: a GraphQL request never needs more.
  const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? "base64" : "utf8") : 0;
  if (size > MAX_BODY_BYTES) {
    return {
      statusCode: 413,
      headers: { "content-type": "application/json", "x-request-id": context.awsRequestId },
      body: JSON.stringify({ errors: [{ message: `Request body is larger than ${MAX_BODY_BYTES} bytes`, extensions: { code: "BAD_REQUEST" } }] }),
    };
  }
  const result = (await withRequestId(context.awsRequestId, () => graphqlHandler(event, context, () => undefined))) as APIGatewayProxyStructuredResultV2;
  return { ...result, headers: { ...result.headers, "x-request-id": context.awsRequestId } };
};

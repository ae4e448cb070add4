import { handlers, startServerAndCreateLambdaHandler } from "@as-integrations/aws-lambda";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from "aws-lambda";
import { buildContext } from "./context.js";
import { withRequestId } from "./errors.js";
import { server } from "./server.js";

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

/**
 * Runs each invocation in a request scope (so masked errors and logs carry the Lambda request
 * id) and echoes that id in `x-request-id`.
 */
export const handler = async (event: APIGatewayProxyEventV2, context: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> => {
  const result = (await withRequestId(context.awsRequestId, () => graphqlHandler(event, context, () => undefined))) as APIGatewayProxyStructuredResultV2;
  return { ...result, headers: { ...result.headers, "x-request-id": context.awsRequestId } };
};

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HeaderMap, type HTTPGraphQLRequest } from "@apollo/server";
import { buildContext } from "../graphql/context.js";
import { logError, withRequestId } from "../graphql/errors.js";
import { ensureServerStarted, server } from "../graphql/server.js";

/**
 * The API over plain HTTP for local use (`npm start`, tests): the same Apollo server the
 * Lambda runs, at POST /graphql; GET /graphql serves Apollo's landing page to browsers and
 * queries (never mutations: Apollo answers 405) to clients. Every response carries
 * `x-request-id`. Permissive CORS, since this only ever runs on a developer's machine.
 *
 * Written on node:http rather than `startStandaloneServer`, which serves every path, adds a
 * plugin and starts the shared server itself.
 */

export interface HttpServerOptions {
  /** 0 picks a free port. Default 4000. */
  port?: number;
  /** Default 127.0.0.1 (not reachable from other machines). */
  host?: string;
}

export interface RunningHttpServer {
  /** e.g. http://127.0.0.1:4000/graphql */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const PATH = "/graphql";
const MAX_BODY_BYTES = 1024 * 1024;

export async function startHttpServer({ port = 4000, host = "127.0.0.1" }: HttpServerOptions = {}): Promise<RunningHttpServer> {
  await ensureServerStarted();
  const httpServer = createServer((req, res) => {
    const requestId = randomUUID();
    res.setHeader("x-request-id", requestId);
    withRequestId(requestId, () => handle(req, res, requestId)).catch((error: unknown) => {
      withRequestId(requestId, () => logError("local HTTP request failed", error));
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", requestId } }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${PATH}`,
    port: address.port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = (req.method ?? "GET").toUpperCase();
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", "x-request-id");
  if (method === "OPTIONS") {
    res.writeHead(204, {
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "authorization, content-type, apollo-require-preflight, x-apollo-operation-name",
      "access-control-max-age": "600",
    });
    res.end();
    return;
  }
  if (url.pathname === "/" && method === "GET") {
    res.writeHead(302, { location: PATH });
    res.end();
    return;
  }
  if (url.pathname !== PATH) {
    sendJson(res, 404, { errors: [{ message: `Not found: the API is at ${PATH}`, extensions: { code: "NOT_FOUND" } }] });
    return;
  }

  const raw = await readBody(req);
  if (raw === undefined) {
    sendJson(res, 413, { errors: [{ message: `Request body is larger than ${MAX_BODY_BYTES} bytes`, extensions: { code: "BAD_REQUEST" } }] });
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  let body: unknown;
  const contentType = headers.get("content-type") ?? "";
  if (raw.length > 0 && contentType.startsWith("application/json")) {
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(res, 400, { errors: [{ message: "Request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
      return;
    }
  } else if (raw.length > 0 && contentType.startsWith("text/plain")) {
    body = raw;
  }

  const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: () => buildContext({ authorization: req.headers.authorization, requestId }),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The body as text, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Past the limit, keep draining (so the client gets the 413) but stop keeping it.
    if (size <= MAX_BODY_BYTES) chunks.push(buf);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(payload));
}

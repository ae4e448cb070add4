import { startHttpServer } from "../local/http.js";

/**
 * Child process of `npm run bench -- api`: the local HTTP server (the same Apollo server the
 * Lambda runs) on a free loopback port, in a process of its own so the load generator and the
 * baseline never share its event loop and its RSS is its own. The parent talks over IPC:
 * "rss" → { type: "rss", rss }, "cpu" → { type: "cpu", micros } (user + system), "stop" → exits. The environment (DYNAMODB_ENDPOINT, TABLE_NAME)
 * is the parent's. Exits when the parent goes away.
 */
const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const server = await startHttpServer({ port: 0, host: "127.0.0.1" });
process.on("message", (m) => {
  if (m === "rss") void send({ type: "rss", rss: process.memoryUsage.rss() });
  if (m === "cpu") {
    const { user, system } = process.cpuUsage();
    void send({ type: "cpu", micros: user + system });
  }
  if (m === "stop") void server.stop().finally(() => process.exit(0));
});
process.on("disconnect", () => process.exit(0));
await send({ type: "ready", url: server.url, rss: process.memoryUsage.rss() });

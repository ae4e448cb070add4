import { createServer, type Server } from "node:http";
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sstSecret } from "./secrets.js";

/** A loopback stand-in for SSM's JSON protocol: GetParameters over a fixed parameter store. */
const store = new Map<string, string>([
  ["/sst/growth/prod/Secret/CURSOR_SECRET/value", "prod-cursor-secret"],
  ["/sst/growth/.fallback/Secret/CURSOR_SECRET/value", "fallback-cursor-secret"],
]);
const asked: { target?: string; names: string[]; decrypt: boolean }[] = [];
let server: Server;
let client: SSMClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const input = JSON.parse(body) as { Names: string[]; WithDecryption?: boolean };
      asked.push({ target: req.headers["x-amz-target"] as string, names: input.Names, decrypt: input.WithDecryption === true });
      const found = input.Names.filter((n) => store.has(n));
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ Parameters: found.map((n) => ({ Name: n, Type: "SecureString", Value: store.get(n) })), InvalidParameters: input.Names.filter((n) => !store.has(n)) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  client = new SSMClient({ endpoint: `http://127.0.0.1:${port}`, region: "cn-north-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
});
afterAll(() => {
  client.destroy();
  server.close();
});

describe("SST secrets", () => {
  it("read a bound secret from the stage's SSM path, then the app's fallback, decrypted; plain values and unbound names need no SSM", async () => {
    const env = { SST_Secret_value_CURSOR_SECRET: "__FETCH_FROM_SSM__", SST_SSM_PREFIX: "/sst/growth/prod/", SST_APP: "growth", SST_STAGE: "prod" };
    expect(await sstSecret("CURSOR_SECRET", env, client)).toBe("prod-cursor-secret");
    expect(asked.at(-1)).toEqual({ target: "AmazonSSM.GetParameters", names: ["/sst/growth/prod/Secret/CURSOR_SECRET/value"], decrypt: true });

    expect(await sstSecret("CURSOR_SECRET", { ...env, SST_SSM_PREFIX: "/sst/growth/pr-42/", SST_STAGE: "pr-42" }, client)).toBe("fallback-cursor-secret");
    expect(asked.slice(-2).map((a) => a.names[0])).toEqual(["/sst/growth/pr-42/Secret/CURSOR_SECRET/value", "/sst/growth/.fallback/Secret/CURSOR_SECRET/value"]);

    await expect(sstSecret("OTHER", { ...env, SST_Secret_value_OTHER: "__FETCH_FROM_SSM__" }, client)).rejects.toThrow(/npx sst secrets set OTHER <value> --stage prod/);
    const before = asked.length;
    expect(await sstSecret("CURSOR_SECRET", { SST_Secret_value_CURSOR_SECRET: "inline" }, client)).toBe("inline");
    expect(await sstSecret("CURSOR_SECRET", {}, client)).toBeUndefined();
    expect(asked.length).toBe(before);
  });
});

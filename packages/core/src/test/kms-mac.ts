import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in KMS on loopback for tests: GenerateMac over the JSON protocol, one random HMAC key
 * per key id, as KMS keeps them. `macOf` is the independent computation of what it answers.
 */
export async function startKmsMacStandIn() {
  const keys = new Map<string, Buffer>();
  const calls: Record<string, unknown>[] = [];
  const keyOf = (keyId: string) => {
    if (!keys.has(keyId)) keys.set(keyId, randomBytes(32));
    return keys.get(keyId)!;
  };
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      const body = JSON.parse(text) as { KeyId: string; MacAlgorithm: string; Message: string };
      calls.push({ target: req.headers["x-amz-target"], ...body });
      const mac = createHmac("sha256", keyOf(body.KeyId)).update(Buffer.from(body.Message, "base64")).digest();
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ KeyId: body.KeyId, MacAlgorithm: body.MacAlgorithm, Mac: mac.toString("base64") }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    macOf: (keyId: string, message: string) => createHmac("sha256", keyOf(keyId)).update(message).digest("base64"),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

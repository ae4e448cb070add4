import { KMSClient } from "@aws-sdk/client-kms";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kmsMasterKey } from "./master.js";

/**
 * The KMS master key through the real SDK client, against a stand-in KMS on loopback that speaks
 * the JSON protocol (GenerateDataKey, Encrypt, Decrypt) and enforces the encryption context the
 * way KMS does: a blob opens only with the context it was made with. What this checks is our side
 * of the wire: the calls, their parameters and how we read the answers.
 */
const KEY_ARN = "arn:aws:kms:cn-north-1:123456789012:key/test-key";
const calls: { target: string; body: Record<string, unknown> }[] = [];
let server: Server;
let endpoint: string;

function standInKms() {
  const root = randomBytes(32);
  const seal = (plaintext: Buffer, context: unknown) => {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", root, iv);
    c.setAAD(Buffer.from(JSON.stringify(context ?? {})));
    return Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]).toString("base64");
  };
  const open = (blob: string, context: unknown) => {
    const raw = Buffer.from(blob, "base64");
    const d = createDecipheriv("aes-256-gcm", root, raw.subarray(0, 12));
    d.setAAD(Buffer.from(JSON.stringify(context ?? {})));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
  };
  return createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"]).replace("TrentService.", "");
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      calls.push({ target, body });
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(json));
      };
      try {
        if (target === "GenerateDataKey") {
          const plaintext = randomBytes(32);
          reply(200, { KeyId: KEY_ARN, Plaintext: plaintext.toString("base64"), CiphertextBlob: seal(plaintext, body.EncryptionContext) });
        } else if (target === "Encrypt") {
          reply(200, { KeyId: KEY_ARN, CiphertextBlob: seal(Buffer.from(String(body.Plaintext), "base64"), body.EncryptionContext) });
        } else if (target === "Decrypt") {
          reply(200, { KeyId: KEY_ARN, Plaintext: open(String(body.CiphertextBlob), body.EncryptionContext).toString("base64") });
        } else reply(400, { __type: "UnsupportedOperationException", message: target });
      } catch {
        reply(400, { __type: "InvalidCiphertextException", message: "the ciphertext or its encryption context is wrong" });
      }
    });
  });
}

beforeAll(async () => {
  server = standInKms();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("KMS master key", () => {
  it("generates data keys with GenerateDataKey (AES_256, the context), unwraps them with Decrypt, re-wraps with Encrypt", async () => {
    const client = new KMSClient({ endpoint, region: "cn-north-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    const master = kmsMasterKey("alias/private-domain-growth-test-personal-data", client);
    const context = { tenant: "t1", purpose: "pii-data", version: "1" };
    const generated = await master.generate(context);
    expect(generated.plaintext.length).toBe(32);
    expect(generated.keyId).toBe(KEY_ARN);
    expect(calls.at(-1)).toEqual({ target: "GenerateDataKey", body: { KeyId: "alias/private-domain-growth-test-personal-data", KeySpec: "AES_256", EncryptionContext: context } });

    expect((await master.unwrap(generated.wrapped, context)).equals(generated.plaintext)).toBe(true);
    expect(calls.at(-1)?.target).toBe("Decrypt");
    expect(calls.at(-1)?.body).toEqual({ CiphertextBlob: generated.wrapped, EncryptionContext: context });
    // Another tenant's (or version's) context does not open it.
    await expect(master.unwrap(generated.wrapped, { ...context, tenant: "t2" })).rejects.toThrow();

    const rewrapped = await master.wrap(generated.plaintext, context);
    expect(calls.at(-1)?.target).toBe("Encrypt");
    expect((await master.unwrap(rewrapped.wrapped, context)).equals(generated.plaintext)).toBe(true);
    client.destroy();
  });
});

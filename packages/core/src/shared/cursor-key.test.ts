import { KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsMacStandIn } from "../test/kms-mac.js";
import { CURSOR_KEY_MESSAGE, deriveCursorSecret } from "./cursor-key.js";

/** The cursor key through the real SDK client, against a stand-in KMS that speaks GenerateMac. */
let kms: Awaited<ReturnType<typeof startKmsMacStandIn>>;
let client: KMSClient;

beforeAll(async () => {
  kms = await startKmsMacStandIn();
  client = new KMSClient({ endpoint: kms.endpoint, region: "cn-north-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await kms.stop();
});

describe("cursor key from KMS", () => {
  it("is the key's HMAC-SHA-256 of the fixed message: the same in every container, another key's differs", async () => {
    const arn = "arn:aws:kms:cn-north-1:123456789012:key/cursor";
    const first = await deriveCursorSecret(arn, client);
    expect(kms.calls.at(-1)).toEqual({ target: "TrentService.GenerateMac", KeyId: arn, MacAlgorithm: "HMAC_SHA_256", Message: Buffer.from(CURSOR_KEY_MESSAGE).toString("base64") });
    expect(first).toBe(kms.macOf(arn, CURSOR_KEY_MESSAGE));
    expect(Buffer.from(first, "base64")).toHaveLength(32);
    expect(await deriveCursorSecret(arn, client)).toBe(first);
    expect(await deriveCursorSecret("arn:aws:kms:cn-north-1:123456789012:key/other", client)).not.toBe(first);
  });
});

import { GenerateMacCommand, KMSClient } from "@aws-sdk/client-kms";

/** What the cursor key is derived from: fixed, so every container of a stage derives the same key. */
export const CURSOR_KEY_MESSAGE = "private-domain-growth/pagination-cursor-hmac/v1";

/**
 * The HMAC key of pagination cursors in a deployed stage, derived once per container as the
 * KMS HMAC key's MAC of a fixed message (GenerateMac, HMAC_SHA_256). The stack makes that KMS key
 * (stacks/Api.ts), so a stage needs no secret set by hand and the key's material never leaves
 * KMS; a new KMS key means new cursors (old ones fail as forged, and clients start over).
 */
export async function deriveCursorSecret(keyId: string, client?: KMSClient): Promise<string> {
  const kms = client ?? new KMSClient({});
  try {
    const out = await kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: "HMAC_SHA_256", Message: new TextEncoder().encode(CURSOR_KEY_MESSAGE) }));
    if (!out.Mac || out.Mac.length < 32) throw new Error(`KMS GenerateMac with ${keyId} returned no 256-bit MAC`);
    return Buffer.from(out.Mac).toString("base64");
  } finally {
    if (!client) kms.destroy();
  }
}

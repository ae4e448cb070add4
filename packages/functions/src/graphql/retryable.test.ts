import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { resetClients } from "@growth/core/db";
import { dynamoFailure } from "@growth/core/db";
import { DomainError } from "@growth/core/shared";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const endpoint = process.env.DYNAMODB_ENDPOINT;
afterAll(() => {
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetClients();
});

/** A port nobody listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const awsError = (name: string, message = name, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

describe("database failures", () => {
  it("are classified: throttling, timeouts, network and 5xx are RETRYABLE; oversized keys BAD_USER_INPUT; the rest stays internal", () => {
    for (const e of [
      awsError("ProvisionedThroughputExceededException"),
      awsError("ThrottlingException"),
      awsError("RequestLimitExceeded"),
      awsError("TimeoutError"),
      awsError("InternalServerError", "x", { $metadata: { httpStatusCode: 500 } }),
      awsError("Error", "connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED" }),
      new Error("wrapped", { cause: awsError("ThrottlingException") }),
    ]) {
      expect(dynamoFailure(e)?.code, e.name).toBe("RETRYABLE");
    }
    expect(dynamoFailure(awsError("ValidationException", "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes"))?.code).toBe("BAD_USER_INPUT");
    expect(dynamoFailure(awsError("ValidationException", "Item size has exceeded the maximum allowed size"))?.code).toBe("BAD_USER_INPUT");
    expect(dynamoFailure(awsError("ValidationException", "The provided key element does not match the schema"))).toBeUndefined();
    expect(dynamoFailure(awsError("ConditionalCheckFailedException"))).toBeUndefined();
    expect(dynamoFailure(new DomainError("NOT_FOUND", "x"))).toBeUndefined();
    expect(dynamoFailure(new TypeError("bug"))).toBeUndefined();
  });

  it("reach the client as RETRYABLE with HTTP semantics intact when DynamoDB is down, and nothing is written", async () => {
    const tenant = newTenantId();
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await deadPort()}`;
    resetClients();
    const read = await executeOperation(`{ member(id: "m_1") { id } }`, {}, { tenant });
    expect(read.errors?.map((e) => e.extensions?.code)).toEqual(["RETRYABLE"]);
    expect(read.errors?.[0]?.message).toBe("The database is busy or unreachable right now; try again shortly");
    const write = await executeOperation(`mutation { createMember(input: { id: "m_down", name: "Down", sourceChannel: WEB }) { member { id } } }`, {}, { tenant });
    expect(write.errors?.map((e) => e.extensions?.code)).toEqual(["RETRYABLE"]);

    // Back up: the write never happened, and a retry succeeds.
    process.env.DYNAMODB_ENDPOINT = endpoint;
    resetClients();
    expect((await executeOperation(`{ member(id: "m_down") { id } }`, {}, { tenant })).data).toEqual({ member: null });
    expect((await executeOperation(`mutation { createMember(input: { id: "m_down", name: "Down", sourceChannel: WEB }) { member { id } } }`, {}, { tenant })).data).toEqual({ createMember: { member: { id: "m_down" } } });
  });
});

import { GraphQLError } from "graphql";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { DomainError, RetryableError, ValidationError } from "@growth/core/shared";
import { newTenantId } from "../test/tenant.js";
import { formatError, withRequestId } from "./errors.js";
import { executeOperation } from "./server.js";

/** Lets each test decide what `getSettings` does, so a resolver can throw anything. */
const behaviour = vi.hoisted(() => ({ throwing: undefined as unknown }));
vi.mock("@growth/core/tenant", async (importOriginal) => {
  const original = await importOriginal<typeof import("@growth/core/tenant")>();
  return {
    ...original,
    getSettings: async (tenantId: string) => {
      if (behaviour.throwing !== undefined) throw behaviour.throwing;
      return original.getSettings(tenantId);
    },
  };
});

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  behaviour.throwing = undefined;
  consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined);
});
afterEach(() => consoleError.mockRestore());

const SETTINGS = "{ tenantSettings { name currency } }";

describe("error masking through the API", () => {
  it("turns a plain Error into INTERNAL_SERVER_ERROR with the request id, and logs the real error", async () => {
    behaviour.throwing = new Error("ConditionalCheckFailed on T#secret-table key pk=T#acme");
    const result = await executeOperation(SETTINGS, {}, { tenant: newTenantId(), requestId: "req-mask-1" });
    expect(result.status).toBe(200);
    expect(result.errors).toEqual([
      {
        message: "Internal server error",
        locations: [{ line: 1, column: 3 }],
        path: ["tenantSettings"],
        extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-mask-1" },
      },
    ]);
    const body = JSON.stringify(result);
    expect(body).not.toContain("secret-table");
    expect(body).not.toContain("ConditionalCheckFailed");
    expect(body).not.toMatch(/stack|at .*\.ts/);

    expect(consoleError).toHaveBeenCalledTimes(1);
    const logged = JSON.parse(String(consoleError.mock.calls[0]?.[0]));
    expect(logged).toMatchObject({ level: "error", requestId: "req-mask-1", path: ["tenantSettings"], error: { message: expect.stringContaining("secret-table") } });
    expect(logged.error.stack).toContain("errors.test.ts");
  });

  it("masks thrown non-Error values and TypeErrors alike", async () => {
    behaviour.throwing = new TypeError("Cannot read properties of undefined (reading 'pk')");
    const result = await executeOperation(SETTINGS, {}, { tenant: newTenantId(), requestId: "req-mask-2" });
    expect(result.errors?.[0]?.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "req-mask-2" });
    expect(JSON.stringify(result)).not.toContain("reading 'pk'");
  });

  it("passes a DomainError's message and code, with field for BAD_USER_INPUT", async () => {
    behaviour.throwing = new ValidationError("timeZone is not an IANA time zone", "timeZone");
    const result = await executeOperation(SETTINGS, {}, { tenant: newTenantId() });
    expect(result.errors).toEqual([
      { message: "timeZone is not an IANA time zone", locations: expect.any(Array), path: ["tenantSettings"], extensions: { code: "BAD_USER_INPUT", field: "timeZone" } },
    ]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("keeps RETRYABLE", async () => {
    behaviour.throwing = new RetryableError();
    const result = await executeOperation(SETTINGS, {}, { tenant: newTenantId() });
    expect(result.errors?.[0]).toMatchObject({ message: "The service is busy; try again shortly", extensions: { code: "RETRYABLE" } });
  });

  it("does not leak DomainError details other than field", async () => {
    behaviour.throwing = new DomainError("NOT_FOUND", "Member m_1 was not found", { id: "m_1", internal: "pk" });
    const result = await executeOperation(SETTINGS, {}, { tenant: newTenantId() });
    expect(result.errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND" });
  });
});

describe("Apollo's request errors keep their codes", () => {
  it("GRAPHQL_PARSE_FAILED", async () => {
    const result = await executeOperation("{ tenantSettings { ", {}, { tenant: newTenantId() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toEqual({ code: "GRAPHQL_PARSE_FAILED" });
  });

  it("GRAPHQL_VALIDATION_FAILED", async () => {
    const result = await executeOperation("{ tenantSettings { nope } }", {}, { tenant: newTenantId() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining("nope"), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
  });

  it("BAD_USER_INPUT for variables that do not coerce", async () => {
    const result = await executeOperation(
      "mutation ($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { currency } } }",
      { input: { currency: "NOT-A-CURRENCY" } },
      { tenant: newTenantId() },
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining("$input"), extensions: { code: "BAD_USER_INPUT" } });
    expect(consoleError).not.toHaveBeenCalled();
  });
});

describe("formatError", () => {
  it("masks a GraphQLError thrown by our own code (not one of Apollo's request errors)", () => {
    const error = new GraphQLError("boom: internals", { path: ["x"], extensions: { code: "SOMETHING" } });
    const out = withRequestId("r-1", () => formatError({ message: error.message, path: ["x"], extensions: { code: "SOMETHING" } }, error));
    expect(out).toEqual({ message: "Internal server error", path: ["x"], extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "r-1" } });
  });

  it("invents a request id when called outside a request scope, and logs the same one", () => {
    const out = formatError({ message: "x" }, new Error("x"));
    const id = (out.extensions as { requestId: string }).requestId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(String(consoleError.mock.calls[0]?.[0])).requestId).toBe(id);
  });

  it("finds a DomainError wrapped in GraphQLErrors", () => {
    const inner = new DomainError("CONFLICT", "Order o1 was already recorded");
    const wrapped = new GraphQLError("Context creation failed: x", { originalError: new GraphQLError("y", { originalError: inner }) });
    expect(formatError({ message: wrapped.message }, wrapped)).toEqual({ message: "Order o1 was already recorded", extensions: { code: "CONFLICT" } });
  });
});

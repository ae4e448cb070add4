import { forgetSettings } from "@growth/core/tenant";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { executeOperation } from "./server.js";

const READ = `{ tenantSettings { tenantId name timeZone currency pointsPerUnit memberListShards updatedAt } }`;
const UPDATE = `mutation Update($input: UpdateTenantSettingsInput!) {
  updateTenantSettings(input: $input) { settings { tenantId name timeZone currency pointsPerUnit memberListShards updatedAt } }
}`;

describe("tenantSettings / updateTenantSettings against DynamoDB Local", () => {
  it("returns the defaults for a tenant that never changed them", async () => {
    const tenant = newTenantId();
    const result = await executeOperation(READ, {}, { tenant, role: "ANALYST" });
    expect(result.errors).toBeUndefined();
    expect(result.data?.tenantSettings).toEqual({
      tenantId: tenant,
      name: tenant,
      timeZone: "Asia/Shanghai",
      currency: "CNY",
      pointsPerUnit: 1,
      memberListShards: 4,
      updatedAt: null,
    });
  });

  it("updates settings as ADMIN and reads them back from the table", async () => {
    const tenant = newTenantId();
    const before = Date.now();
    const result = await executeOperation(
      UPDATE,
      { input: { name: "  Tea House  ", timeZone: "Asia/Hong_Kong", currency: "HKD", pointsPerUnit: 2.5 } },
      { tenant, role: "ADMIN" },
    );
    expect(result.errors).toBeUndefined();
    const settings = result.data?.updateTenantSettings.settings;
    expect(settings).toMatchObject({ tenantId: tenant, name: "Tea House", timeZone: "Asia/Hong_Kong", currency: "HKD", pointsPerUnit: 2.5, memberListShards: 4 });
    expect(Date.parse(settings.updatedAt)).toBeGreaterThanOrEqual(before - 1000);

    // Partial update: omitted and null fields keep their values.
    const partial = await executeOperation(UPDATE, { input: { pointsPerUnit: 3, name: null } }, { tenant });
    expect(partial.data?.updateTenantSettings.settings).toMatchObject({ name: "Tea House", currency: "HKD", pointsPerUnit: 3 });

    forgetSettings(); // drop the in-process cache: the next read comes from DynamoDB
    const read = await executeOperation(READ, {}, { tenant, role: "OPERATOR" });
    expect(read.data?.tenantSettings).toMatchObject({ name: "Tea House", timeZone: "Asia/Hong_Kong", currency: "HKD", pointsPerUnit: 3 });
  });

  it("rejects invalid input with BAD_USER_INPUT and the field", async () => {
    const tenant = newTenantId();
    const zone = await executeOperation(UPDATE, { input: { timeZone: "Mars/Olympus" } }, { tenant });
    expect(zone.errors).toEqual([
      { message: "timeZone is not an IANA time zone", locations: expect.any(Array), path: ["updateTenantSettings"], extensions: { code: "BAD_USER_INPUT", field: "timeZone" } },
    ]);
    const points = await executeOperation(UPDATE, { input: { pointsPerUnit: 5000 } }, { tenant });
    expect(points.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "pointsPerUnit" });
    const negative = await executeOperation(UPDATE, { input: { pointsPerUnit: -1 } }, { tenant });
    expect(negative.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT" }); // NonNegativeFloat coercion
    const name = await executeOperation(UPDATE, { input: { name: "   " } }, { tenant });
    expect(name.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "name" });
  });

  it("keeps tenants apart: a token for tenant A cannot change tenant B", async () => {
    const a = newTenantId("a");
    const b = newTenantId("b");
    await executeOperation(UPDATE, { input: { name: "Brand B", currency: "USD" } }, { tenant: b });
    const result = await executeOperation(UPDATE, { input: { name: "Brand A", currency: "EUR" } }, { tenant: a });
    expect(result.data?.updateTenantSettings.settings).toMatchObject({ tenantId: a, name: "Brand A", currency: "EUR" });

    forgetSettings();
    const readB = await executeOperation(READ, {}, { tenant: b, role: "ANALYST" });
    expect(readB.data?.tenantSettings).toMatchObject({ tenantId: b, name: "Brand B", currency: "USD" });
    const readA = await executeOperation(READ, {}, { tenant: a, role: "ANALYST" });
    expect(readA.data?.tenantSettings).toMatchObject({ tenantId: a, name: "Brand A", currency: "EUR" });
  });
});

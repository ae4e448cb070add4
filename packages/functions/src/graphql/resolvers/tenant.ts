import { getSettings, updateSettings, type SettingsInput, type TenantSettings } from "@growth/core/tenant";
import type { Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, READ } from "../permissions.js";
import type { Resolvers } from "./base.js";

definePermissions({
  "Query.tenantSettings": { roles: READ, doc: "Read the brand's settings (time zone, currency, points rate)." },
  "Mutation.updateTenantSettings": { roles: ADMIN_ONLY, doc: "Change the brand's settings." },
});

export const tenantResolvers: Resolvers = {
  Query: {
    tenantSettings: (_source: unknown, _args: unknown, ctx: Context): Promise<TenantSettings> => getSettings(ctx.tenantId),
  },
  Mutation: {
    updateTenantSettings: async (_source: unknown, { input }: { input: SettingsInput }, ctx: Context) => ({
      settings: await updateSettings(ctx.tenantId, input),
    }),
  },
  TenantSettings: {
    updatedAt: (s: TenantSettings) => s.updatedAt ?? null,
  },
};

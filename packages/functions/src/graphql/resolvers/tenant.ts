import { listAudit, type AuditEntry } from "@growth/core/audit";
import { toConnection } from "./connection.js";
import { getSettings, updateSettings, updateTierThresholds, type SettingsInput, type TenantSettings } from "@growth/core/tenant";
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds, type TierThresholdsPatch } from "@growth/core/metrics/tiers";
import { toMinor } from "@growth/core/shared";
import type { Context } from "../context.js";
import { ADMIN_ONLY, definePermissions, READ } from "../permissions.js";
import { money, type Resolvers } from "./base.js";

definePermissions({
  "Query.tenantSettings": { roles: READ, doc: "Read the brand's settings (time zone, currency, points rate)." },
  "Mutation.updateTenantSettings": { roles: ADMIN_ONLY, doc: "Change the brand's settings." },
  "Mutation.updateTierThresholds": { roles: ADMIN_ONLY, doc: "Change the member pyramid's tier thresholds." },
  "Query.auditLog": { roles: ADMIN_ONLY, doc: "Read the audit log of sensitive actions (erase, merge, consent, partner keys, denials)." },
});

/** Thresholds in the schema's shape: money as Money in the brand's currency. */
export function tierThresholdsView(t: TierThresholds, currency: string) {
  return {
    core: {
      minOrders: t.core.minOrders,
      minNetSpend: money(t.core.minNetSpendMinor, currency),
      activeWithinDays: t.core.activeWithinDays,
      minPredictedClv: t.core.minPredictedClvMinor === null ? null : money(t.core.minPredictedClvMinor, currency),
    },
    loyal: { ...t.loyal },
    active: { ...t.active },
  };
}

interface TierThresholdsInput {
  reset?: boolean | null;
  core?: { minOrders?: number | null; minNetSpend?: number | null; activeWithinDays?: number | null; minPredictedClv?: number | null } | null;
  loyal?: TierThresholdsPatch["loyal"];
  active?: TierThresholdsPatch["active"];
}

/** GraphQL input → patch: amounts from major to minor units; null stays null (switches an optional rule off). */
function thresholdsPatch(input: TierThresholdsInput): TierThresholdsPatch {
  const minor = (v: number | null | undefined, field: string) => (v === undefined || v === null ? v : toMinor(v, field));
  const core = input.core
    ? {
        minOrders: input.core.minOrders,
        minNetSpendMinor: minor(input.core.minNetSpend, "core.minNetSpend"),
        activeWithinDays: input.core.activeWithinDays,
        minPredictedClvMinor: minor(input.core.minPredictedClv, "core.minPredictedClv"),
      }
    : input.core;
  return { core, loyal: input.loyal, active: input.active };
}

export const tenantResolvers: Resolvers = {
  Query: {
    tenantSettings: (_source: unknown, _args: unknown, ctx: Context): Promise<TenantSettings> => getSettings(ctx.tenantId),
    auditLog: async (_source: unknown, args: { month?: string | null; action?: string | null; first?: number | null; after?: string | null }, ctx: Context) =>
      toConnection(await listAudit(ctx.tenantId, args, args)),
  },
  AuditEntry: {
    id: (e: AuditEntry) => e.auditId,
  },
  Mutation: {
    updateTenantSettings: async (_source: unknown, { input }: { input: SettingsInput }, ctx: Context) => ({
      settings: await updateSettings(ctx.tenantId, input),
    }),
    updateTierThresholds: async (_source: unknown, { input }: { input: TierThresholdsInput }, ctx: Context) => {
      const settings = await updateTierThresholds(ctx.tenantId, thresholdsPatch(input), { reset: input.reset === true });
      return { settings, thresholds: tierThresholdsView(settings.tierThresholds!, settings.currency) };
    },
  },
  TenantSettings: {
    updatedAt: (s: TenantSettings) => s.updatedAt ?? null,
    tierThresholds: (s: TenantSettings) => tierThresholdsView(s.tierThresholds ?? DEFAULT_TIER_THRESHOLDS, s.currency),
  },
};

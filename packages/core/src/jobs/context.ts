import { getSettings } from "../tenant/settings.js";
import { assertTenantId } from "../db/keys.js";
import { jobIdOf, type AnyJob, type JobContext, type RawParams } from "./job.js";
import { asOfCutoff, assertZone, defaultAsOf, parseLocalDate } from "./periods.js";

export interface ContextInput {
  tenantId: string;
  /** `YYYY-MM-DD` in the tenant's zone; default yesterday there (the last day that is over). */
  asOf?: string | null;
  params?: RawParams | null;
  now?: Date;
}

/** Resolves a run's context: tenant settings (time zone), as-of date and cutoff, parameters. */
export async function resolveContext(job: AnyJob, input: ContextInput): Promise<JobContext> {
  const tenantId = assertTenantId(input.tenantId);
  const settings = await getSettings(tenantId);
  const zone = assertZone(settings.timeZone);
  const asOf = input.asOf ?? defaultAsOf(zone, input.now);
  parseLocalDate(asOf, "asOf");
  const params = job.parseParams(input.params ?? {});
  return { tenantId, asOf, cutoff: asOfCutoff(asOf, zone), settings, params, jobId: jobIdOf(job, params) };
}

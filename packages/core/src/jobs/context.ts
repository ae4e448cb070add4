import { ValidationError } from "../shared/errors.js";
import { getSettings } from "../tenant/settings.js";
import { assertTenantId } from "../db/keys.js";
import { jobIdOf, type AnyJob, type JobContext, type RawParams } from "./job.js";
import { asOfCutoff, assertZone, defaultAsOf, parseLocalDate } from "./periods.js";

export interface ContextInput {
  tenantId: string;
  /** `YYYY-MM-DD` in the tenant's zone, a day that is over; default yesterday there. */
  asOf?: string | null;
  params?: RawParams | null;
  now?: Date;
}

/** Resolves a run's context: tenant settings (time zone), as-of date and cutoff, parameters. */
export async function resolveContext(job: AnyJob, input: ContextInput): Promise<JobContext> {
  const tenantId = assertTenantId(input.tenantId);
  const settings = await getSettings(tenantId);
  const zone = assertZone(settings.timeZone);
  const yesterday = defaultAsOf(zone, input.now);
  const asOf = input.asOf ?? yesterday;
  parseLocalDate(asOf, "asOf");
  // A day still under way would freeze a partial day into checkpoints and the snapshot, and a
  // rerun for the same date could not give the same result.
  if (asOf > yesterday) throw new ValidationError(`asOf must be a day that is over in ${zone} (${yesterday} or earlier)`, "asOf");
  const params = job.parseParams(input.params ?? {});
  return { tenantId, asOf, cutoff: asOfCutoff(asOf, zone), settings, params, jobId: jobIdOf(job, params) };
}

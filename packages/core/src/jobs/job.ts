import { ValidationError } from "../shared/errors.js";
import type { TenantSettings } from "../tenant/settings.js";

/**
 * A job computes a snapshot from one tenant's items by mapping over parallel-Scan segments and
 * merging per-segment partial results. The framework (`runJob` locally, the Step Functions
 * state machine in the cloud) owns scanning, checkpoints, workers, resumption and the run
 * record; a job only says what to read and how to fold, merge, finish and write.
 *
 * The rules that make runs exact, resumable and independent of the segment count:
 * - `merge` is associative and commutative and loses nothing: counts and sums add, sets of ids
 *   unite, per-member state combines (a member's items land in different segments). Then 1, 4
 *   or 16 segments, in any completion order, give the same merged partial.
 * - `add` reads only the item and the context (no clock, no other reads), so a segment rerun
 *   after a crash yields the same partial.
 * - A partial holds state per member or per group, never per order or event: memory is
 *   bounded by the number of members.
 * - `encode`/`decode` turn a partial into JSON-safe data and back exactly (checkpoints and the
 *   hop between worker threads or Lambdas).
 * - `write` is an idempotent Put keyed by (job, tenant, as-of date, parameters): a rerun
 *   overwrites the same snapshot.
 */

/** What every step of one run sees. Plain data: it crosses worker threads and Lambda calls. */
export interface JobContext<Params = unknown> {
  tenantId: string;
  /** The as-of date, `YYYY-MM-DD` in the tenant's time zone: data up to the end of that day. */
  asOf: string;
  /** First instant after `asOf` in the tenant's zone (UTC ISO, exclusive): ignore anything at or after it. */
  cutoff: string;
  settings: TenantSettings;
  params: Params;
  /** `name` plus the parameter key (`retention.WEEK`): names checkpoints and the run record. */
  jobId: string;
}

/** One parameter a job accepts: a CLI flag `--<name>`, a field of GraphQL / Step Functions input. */
export interface JobOption {
  description: string;
  /** Allowed values (for help text and validation). */
  values?: readonly string[];
}

export type RawParams = Record<string, unknown>;

export interface Job<P = unknown, S = unknown, Params = RawParams> {
  /** Registry name, used on the command line (`npm run jobs -- <name>`) and in the cloud. */
  readonly name: string;
  readonly description: string;
  /** Item kinds to read, by exact `sk` (`MEMBER`, `ORDER`, `EVENT`, ...). */
  readonly kinds: readonly string[];
  /** Attributes `add` reads (`pk` and `sk` are always there). */
  readonly projection: readonly string[];
  readonly options: Readonly<Record<string, JobOption>>;
  /** Parameter sets one scheduled (or unparameterised) run covers, e.g. WEEK and MONTH. */
  readonly variants: readonly RawParams[];
  /** Checks and normalises raw parameters; throws ValidationError. */
  parseParams(raw: RawParams): Params;
  /** Short text naming the parameters in keys (`WEEK`); `""` for none. Letters, digits, `_ . -`. */
  paramsKey(params: Params): string;
  /** An empty partial. */
  init(ctx: JobContext<Params>): P;
  /** Folds one scanned item into a partial (may mutate it) and returns it. */
  add(partial: P, item: Record<string, unknown>, ctx: JobContext<Params>): P;
  /** Combines two partials (may reuse either); associative, commutative, exact. */
  merge(a: P, b: P): P;
  encode(partial: P): unknown;
  decode(encoded: unknown): P;
  /** The snapshot from the fully merged partial. */
  finish(merged: P, ctx: JobContext<Params>): S;
  /** Stores the snapshot with idempotent Puts keyed by (job, tenant, asOf, params). */
  write(snapshot: S, ctx: JobContext<Params>): Promise<void>;
  /** One line for the CLI summary ("4 matrices, 12 cohorts"). */
  summarize(snapshot: S, ctx: JobContext<Params>): string;
}

/** What a job module writes; `defineJob` fills in the optional parts. */
export type JobSpec<P, S, Params> = Omit<Job<P, S, Params>, "options" | "variants" | "parseParams" | "paramsKey" | "summarize"> & {
  options?: Record<string, JobOption>;
  variants?: readonly RawParams[];
  parseParams?: (raw: RawParams) => Params;
  paramsKey?: (params: Params) => string;
  summarize?: (snapshot: S, ctx: JobContext<Params>) => string;
};

/** A job of any types, as the registry and the runners hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJob = Job<any, any, any>;

const JOB_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const PARAMS_KEY = /^[A-Za-z0-9_.-]{0,40}$/;

/**
 * Declares a job. Without `parseParams` the job takes no parameters (any given are refused);
 * without `paramsKey` the key joins the parameter values in option order.
 */
export function defineJob<P, S, Params = RawParams>(spec: JobSpec<P, S, Params>): Job<P, S, Params> {
  if (!JOB_NAME.test(spec.name)) throw new Error(`job name "${spec.name}" must be lower-case letters, digits and -`);
  if (spec.kinds.length === 0) throw new Error(`job ${spec.name} reads no item kinds`);
  const options = spec.options ?? {};
  const parseParams =
    spec.parseParams ??
    ((raw: RawParams) => {
      const unknown = Object.keys(raw).filter((k) => raw[k] !== undefined);
      if (unknown.length > 0) throw new ValidationError(`job ${spec.name} takes no parameters (got ${unknown.join(", ")})`, "params");
      return {} as Params;
    });
  const paramsKey =
    spec.paramsKey ??
    ((params: Params) =>
      Object.keys(options)
        .map((k) => (params as RawParams)[k])
        .filter((v) => v !== undefined && v !== null)
        .join("."));
  return {
    ...spec,
    options,
    variants: spec.variants ?? [{}],
    parseParams,
    paramsKey: (params: Params) => {
      const key = paramsKey(params);
      if (!PARAMS_KEY.test(key)) throw new Error(`job ${spec.name}: parameter key "${key}" must be letters, digits, _ . - (40 at most)`);
      return key;
    },
    summarize: spec.summarize ?? (() => "snapshot written"),
  };
}

/** The id that names a run's checkpoints and record: `name` or `name.<paramsKey>`. */
export function jobIdOf(job: AnyJob, params: unknown): string {
  const key = job.paramsKey(params);
  return key ? `${job.name}.${key}` : job.name;
}

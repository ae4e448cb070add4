import { gzipSync } from "node:zlib";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../db/client.js";
import { defineJob, type JobContext, type RawParams } from "../../jobs/job.js";
import { mergeByKey } from "../../jobs/merge.js";
import { isPeriodComplete, isPeriodType, PERIOD_TYPES, PeriodIndexer, periodOfDate, periodStartDate, type PeriodType } from "../../jobs/periods.js";
import { ValidationError } from "../../shared/errors.js";
import { retentionKeys } from "./keys.js";
import { RETENTION_BASES, RETENTION_MODES, type CohortRow, type RetentionBasis, type RetentionMode } from "./types.js";

/**
 * Cohort retention as a job: one run per period type (WEEK or MONTH) computes both bases
 * (ANY_ACTIVITY, PURCHASE) and both modes (ON, ON_OR_AFTER) from one pass over the tenant's
 * MEMBER, ORDER and EVENT items, and writes four matrices.
 *
 * A member's join and activity land in different segments, so the partial is per member: the
 * join period (from the MEMBER item) and the set of periods with activity, per basis. Merging
 * unites the sets, which is exact, associative and commutative. Memory is bounded by members
 * times the periods each was active in, never by orders or events.
 *
 * Who counts: ACTIVE and ERASED members (erasure keeps aggregates); MERGED duplicates are left
 * out (their orders and events moved to the survivor, who counts from the survivor's join
 * period); members who joined after the as-of date are left out. Activity after the as-of date
 * and activity before the member's join period are ignored.
 */
export interface RetentionParams {
  period: PeriodType;
}

interface MemberState {
  /** Join period, once the MEMBER item has been seen. */
  j: number | null;
  /** Left out: merged, or joined after the as-of date. */
  x: boolean;
  /** Periods with any activity / with an order. */
  a: number[];
  p: number[];
}

export type RetentionPartial = Map<string, MemberState>;

/** [memberId, join period or null, left out (1) or not (0), activity periods, purchase periods]. */
type EncodedMember = [string, number | null, 0 | 1, number[], number[]];

export interface RetentionVariant {
  basis: RetentionBasis;
  mode: RetentionMode;
  rows: CohortRow[];
}

export interface RetentionSnapshot {
  tenantId: string;
  period: PeriodType;
  asOf: string;
  timeZone: string;
  computedAt: string;
  /** Members in the matrices. */
  members: number;
  /** Whether the period holding the as-of date is over (else the last cell of each row is incomplete). */
  lastPeriodComplete: boolean;
  variants: RetentionVariant[];
}

const perRun = new WeakMap<object, { indexer: PeriodIndexer; cutoff: number }>();
function runState(ctx: JobContext<RetentionParams>) {
  let state = perRun.get(ctx);
  if (!state) perRun.set(ctx, (state = { indexer: new PeriodIndexer(ctx.params.period, ctx.settings.timeZone), cutoff: Date.parse(ctx.cutoff) }));
  return state;
}

const addUnique = (list: number[], value: number) => {
  if (!list.includes(value)) list.push(value);
};

function union(into: number[], from: number[]): number[] {
  for (const v of from) addUnique(into, v);
  return into;
}

export function parseRetentionParams(raw: RawParams): RetentionParams {
  const unknown = Object.keys(raw).filter((k) => k !== "period" && raw[k] !== undefined);
  if (unknown.length > 0) throw new ValidationError(`retention takes only a period (got ${unknown.join(", ")})`, "params");
  const period = typeof raw.period === "string" ? raw.period.toUpperCase() : raw.period;
  if (!isPeriodType(period)) throw new ValidationError(`period must be ${PERIOD_TYPES.join(" or ")}`, "period");
  return { period };
}

/** Retained counts per cohort for one period type, from the merged partial. */
export function retentionRows(merged: RetentionPartial, period: PeriodType, asOf: string): { members: number; variants: RetentionVariant[] } {
  const last = periodOfDate(asOf, period);
  interface Acc {
    size: number;
    on: [number[], number[]];
    lastActive: [number[], number[]];
  }
  const cohorts = new Map<number, Acc>();
  let members = 0;
  for (const state of merged.values()) {
    if (state.x || state.j === null || state.j > last) continue;
    const j = state.j;
    let acc = cohorts.get(j);
    if (!acc) {
      const zeros = () => new Array<number>(last - j + 1).fill(0);
      cohorts.set(j, (acc = { size: 0, on: [zeros(), zeros()], lastActive: [zeros(), zeros()] }));
    }
    acc.size++;
    members++;
    [state.a, state.p].forEach((periods, b) => {
      let latest = -1;
      for (const index of periods) {
        const k = index - j;
        if (k < 0 || index > last) continue;
        acc.on[b]![k]!++;
        if (k > latest) latest = k;
      }
      if (latest >= 0) acc.lastActive[b]![latest]!++;
    });
  }
  const starts = [...cohorts.keys()].sort((a, b) => a - b);
  const variants: RetentionVariant[] = [];
  RETENTION_BASES.forEach((basis, b) => {
    for (const mode of RETENTION_MODES) {
      const rows: CohortRow[] = starts.map((j) => {
        const acc = cohorts.get(j)!;
        let retained: number[];
        if (mode === "ON") retained = [...acc.on[b]!];
        else {
          // Active in k or later = the member's latest active period is k or later: a suffix sum.
          retained = new Array<number>(acc.lastActive[b]!.length).fill(0);
          let running = 0;
          for (let k = retained.length - 1; k >= 0; k--) retained[k] = running += acc.lastActive[b]![k]!;
        }
        return [periodStartDate(j, period), acc.size, retained];
      });
      variants.push({ basis, mode, rows });
    }
  });
  return { members, variants };
}

export const RETENTION_MATRIX_ATTRIBUTE = "matrix";

export const retentionJob = defineJob<RetentionPartial, RetentionSnapshot, RetentionParams>({
  name: "retention",
  description: "Cohort retention matrices by join week or month: any activity and purchase, ON and ON_OR_AFTER.",
  kinds: ["MEMBER", "ORDER", "EVENT"],
  projection: ["memberId", "joinedAt", "status", "occurredAt"],
  options: { period: { description: "Cohort period", values: PERIOD_TYPES } },
  variants: PERIOD_TYPES.map((period) => ({ period })),
  parseParams: parseRetentionParams,
  paramsKey: (params) => params.period,

  init: () => new Map(),

  add(partial, item, ctx) {
    const memberId = item.memberId;
    if (typeof memberId !== "string") return partial;
    const { indexer, cutoff } = runState(ctx);
    if (item.sk === "MEMBER") {
      const state = partial.get(memberId) ?? { j: null, x: false, a: [], p: [] };
      const joinedAt = item.joinedAt as string;
      if (item.status === "MERGED" || !joinedAt || Date.parse(joinedAt) >= cutoff) state.x = true;
      else state.j = indexer.indexOf(joinedAt);
      partial.set(memberId, state);
      return partial;
    }
    const occurredAt = item.occurredAt as string | undefined;
    if (!occurredAt || Date.parse(occurredAt) >= cutoff) return partial;
    let state = partial.get(memberId);
    if (!state) partial.set(memberId, (state = { j: null, x: false, a: [], p: [] }));
    if (state.x) return partial;
    const index = indexer.indexOf(occurredAt);
    addUnique(state.a, index);
    if (item.sk === "ORDER") addUnique(state.p, index);
    return partial;
  },

  merge(a, b) {
    return mergeByKey(a, b, (t, s) => {
      t.j ??= s.j;
      t.x ||= s.x;
      union(t.a, s.a);
      union(t.p, s.p);
    });
  },

  encode: (partial) => ({ v: 1, m: [...partial].map(([id, s]): EncodedMember => [id, s.j, s.x ? 1 : 0, s.a, s.p]) }),

  decode(encoded) {
    const data = encoded as { v: number; m: EncodedMember[] };
    if (data?.v !== 1 || !Array.isArray(data.m)) throw new Error("not a retention partial (version 1)");
    return new Map(data.m.map(([id, j, x, a, p]) => [id, { j, x: x === 1, a, p }]));
  },

  finish(merged, ctx) {
    const { period } = ctx.params;
    const { members, variants } = retentionRows(merged, period, ctx.asOf);
    return {
      tenantId: ctx.tenantId,
      period,
      asOf: ctx.asOf,
      timeZone: ctx.settings.timeZone,
      computedAt: new Date().toISOString(),
      members,
      lastPeriodComplete: isPeriodComplete(periodOfDate(ctx.asOf, period), period, ctx.asOf),
      variants,
    };
  },

  async write(snapshot) {
    await Promise.all(
      snapshot.variants.map((v) =>
        documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...retentionKeys.snapshot(snapshot.tenantId, snapshot.period, v.basis, v.mode, snapshot.asOf),
              tenantId: snapshot.tenantId,
              period: snapshot.period,
              basis: v.basis,
              mode: v.mode,
              asOf: snapshot.asOf,
              timeZone: snapshot.timeZone,
              computedAt: snapshot.computedAt,
              members: snapshot.members,
              cohortCount: v.rows.length,
              lastPeriodComplete: snapshot.lastPeriodComplete,
              // Rows gzipped: a weekly matrix over years has tens of thousands of cells.
              [RETENTION_MATRIX_ATTRIBUTE]: gzipSync(Buffer.from(JSON.stringify(v.rows))),
            },
          }),
        ),
      ),
    );
  },

  summarize: (s) =>
    `${s.period.toLowerCase()}ly retention as of ${s.asOf}: ${s.members} members in ${s.variants[0]?.rows.length ?? 0} cohorts, 4 matrices written`,
});

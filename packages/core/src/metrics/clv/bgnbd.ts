/**
 * BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "'Counting Your Customers' the
 * Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284; "FHL").
 * While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
 * purchase they drop out with probability p ~ Beta(a, b).
 */
import { minimize } from "./optimize.js";
import { hyp2f1, lnGamma, logSumExp } from "./special.js";
import type { TimeUnit } from "./summary.js";

export interface BgnbdObservation {
  x: number;
  tx: number;
  T: number;
}

export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLikelihood: number;
  /** Customers the model was fitted on (all with at least one transaction). */
  customers: number;
  /** Unit of tx, T and alpha; predictions take horizons in the same unit. */
  timeUnit: TimeUnit;
}

type Shape = Pick<BgnbdParams, "r" | "alpha" | "a" | "b">;

/**
 * ln of the individual likelihood L(r, α, a, b | x, t_x, T) of FHL §3, split as in Fader & Hardie's note
 * "Implementing the BG/NBD Model for Customer Base Analysis in Excel":
 *   L = A1 · A2 · (A3 + δ(x>0) A4)
 *   A1 = Γ(r+x) α^r / Γ(r)               A2 = Γ(a+b) Γ(b+x) / (Γ(b) Γ(a+b+x))
 *   A3 = (α+T)^−(r+x)                    A4 = a/(b+x−1) · (α+t_x)^−(r+x)
 * A3 and A4 are combined by log-sum-exp: for frequent buyers both underflow in linear space
 * (the "#NUM!" problem of Fader & Hardie's 2013 note on it).
 */
export function logLikelihoodOne(p: Shape, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const lnA1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const lnA2 = lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x);
  const lnA3 = -(r + x) * Math.log(alpha + T);
  const lnA4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return lnA1 + lnA2 + logSumExp(lnA3, lnA4);
}

/**
 * Identical (x, t_x, T) triples with their counts, and for each the index of its x, t_x and T
 * among the distinct values: the likelihood then costs one log-sum-exp per group, the
 * ln Γ terms once per distinct x and the logs once per distinct t_x or T (a few hundred on
 * CDNOW's 23,570 customers).
 */
export interface Groups {
  customers: number;
  /** Per group. */
  n: Float64Array;
  xi: Uint32Array;
  txi: Uint32Array;
  Ti: Uint32Array;
  /** Distinct values. */
  xs: Float64Array;
  txs: Float64Array;
  Ts: Float64Array;
}

class Distinct {
  readonly index = new Map<number, number>();
  readonly values: number[] = [];
  of(v: number): number {
    let i = this.index.get(v);
    if (i === undefined) this.index.set(v, (i = this.values.push(v) - 1));
    return i;
  }
}

export function groupObservations(data: Iterable<BgnbdObservation>): Groups {
  const [xs, txs, Ts] = [new Distinct(), new Distinct(), new Distinct()];
  const index = new Map<string, number>();
  const rows: number[][] = [];
  let customers = 0;
  for (const o of data) {
    if (!(o.x >= 0 && Number.isInteger(o.x) && o.tx >= 0 && o.T >= o.tx && Number.isFinite(o.T))) {
      throw new RangeError(`invalid observation x=${o.x} tx=${o.tx} T=${o.T}`);
    }
    customers++;
    const key = `${o.x},${o.tx},${o.T}`;
    const i = index.get(key);
    if (i === undefined) {
      index.set(key, rows.length);
      rows.push([1, xs.of(o.x), txs.of(o.tx), Ts.of(o.T)]);
    } else {
      const row = rows[i] as number[];
      row[0] = (row[0] as number) + 1;
    }
  }
  const col = (k: number) => rows.map((r) => r[k] as number);
  return {
    customers,
    n: Float64Array.from(col(0)),
    xi: Uint32Array.from(col(1)),
    txi: Uint32Array.from(col(2)),
    Ti: Uint32Array.from(col(3)),
    xs: Float64Array.from(xs.values),
    txs: Float64Array.from(txs.values),
    Ts: Float64Array.from(Ts.values),
  };
}

function isGroups(data: Iterable<BgnbdObservation> | Groups): data is Groups {
  return (data as Groups).n instanceof Float64Array;
}

/**
 * Total log-likelihood, Σ over customers of logLikelihoodOne, computed per group and with its
 * terms factored by distinct x, t_x and T.
 */
export function logLikelihood(p: Shape, g: Groups): number {
  const { r, alpha, a, b } = p;
  const common = r * Math.log(alpha) - lnGamma(r) + lnGamma(a + b) - lnGamma(b);
  const byX = new Float64Array(g.xs.length); // ln A1 + ln A2 without the common part
  const a4X = new Float64Array(g.xs.length); // ln a − ln(b+x−1), or −∞ when x = 0
  g.xs.forEach((x, j) => {
    byX[j] = lnGamma(r + x) + lnGamma(b + x) - lnGamma(a + b + x);
    a4X[j] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
  });
  const lnT = g.Ts.map((T) => Math.log(alpha + T));
  const lnTx = g.txs.map((tx) => Math.log(alpha + tx));
  let sum = 0;
  for (let i = 0; i < g.n.length; i++) {
    const j = g.xi[i] as number;
    const rx = r + (g.xs[j] as number);
    const lnA3 = -rx * (lnT[g.Ti[i] as number] as number);
    const lnA4 = (a4X[j] as number) - rx * (lnTx[g.txi[i] as number] as number);
    sum += (g.n[i] as number) * ((byX[j] as number) + logSumExp(lnA3, lnA4));
  }
  return sum + g.customers * common;
}

const fromLog = (v: number[]): Shape => ({ r: Math.exp(v[0] as number), alpha: Math.exp(v[1] as number), a: Math.exp(v[2] as number), b: Math.exp(v[3] as number) });

/**
 * Maximum-likelihood fit over (ln r, ln α, ln a, ln b), so every parameter stays positive
 * without constraints. The start puts α at the mean age T (rates of the order of one purchase
 * per customer lifetime), the others at 1; Nelder–Mead with restarts does the rest.
 */
export function fitBgnbd(data: Iterable<BgnbdObservation> | Groups, timeUnit: TimeUnit): BgnbdParams & { evaluations: number; converged: boolean } {
  const g = isGroups(data) ? data : groupObservations(data);
  if (g.customers === 0) throw new RangeError("BG/NBD: no customers to fit");
  let meanT = 0;
  for (let i = 0; i < g.n.length; i++) meanT += ((g.n[i] as number) * (g.Ts[g.Ti[i] as number] as number)) / g.customers;
  const start = [0, Math.log(Math.max(meanT, 1e-3)), 0, 0];
  const res = minimize((v) => -logLikelihood(fromLog(v), g), start);
  return { ...fromLog(res.x), logLikelihood: -res.value, customers: g.customers, timeUnit, evaluations: res.evaluations, converged: res.converged };
}

/**
 * ln of the odds that the customer dropped out at the last purchase against being alive:
 * ln[a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)] = ln A4 − ln A3. −∞ when x = 0.
 */
function lnDeadOdds(p: Shape, x: number, tx: number, T: number): number {
  if (x === 0) return -Infinity;
  return Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
 * (Fader, Hardie & Lee, note "Computing P(alive) Using the BG/NBD Model", 2008).
 * x = 0 gives exactly 1: in BG/NBD a customer can only drop out right after a purchase, and the
 * first purchase is the start of the observation (the model's known artefact for one-time buyers).
 */
export function pAlive(p: Shape, x: number, tx: number, T: number): number {
  return 1 / (1 + Math.exp(lnDeadOdds(p, x, tx, T)));
}

/**
 * (a+b+k−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+k) 2F1(r+k, b+k; a+b+k−1; t/(α+T+t))], the
 * expected transactions in (T, T+t] of a customer alive at T (k = x, the alive part of FHL
 * eq. (10); with k = 0, T = 0 it is FHL eq. (9)). At a = 1 both factors vanish: the limit is
 * taken by interpolating between a = 1 ± h (the expression is smooth in a).
 */
function aliveExpectation(p: Shape, k: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const h = 1e-4;
  if (Math.abs(p.a - 1) >= h) return aliveExpectationAt(p, k, T, t);
  const lo = aliveExpectationAt({ ...p, a: 1 - h }, k, T, t);
  const hi = aliveExpectationAt({ ...p, a: 1 + h }, k, T, t);
  return lo + ((hi - lo) * (p.a - (1 - h))) / (2 * h);
}

function aliveExpectationAt(p: Shape, k: number, T: number, t: number): number {
  const { r, alpha, a, b } = p;
  const c = a + b + k - 1;
  const z = t / (alpha + T + t); // so 1 − z = (α+T)/(α+T+t)
  // Euler's transformation 2F1(A, B; c; z) = (1−z)^(c−A−B) 2F1(c−A, c−B; c; z) turns
  // (1−z)^(r+k) 2F1(r+k, b+k; c; z) into (1−z)^(a−1) 2F1(a+b−1−r, a−1; c; z): the same value
  // without a vanishing power times a diverging series when k is large and z is near 1.
  const tail = Math.pow(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z);
  return (c / (a - 1)) * (1 - tail);
}

/**
 * E[Y(t) | x, t_x, T]: expected repeat transactions in (T, T+t] (FHL eq. (10)), written as
 * P(alive) × the alive customer's expectation, which is the same expression.
 */
export function conditionalExpectedTransactions(p: Shape, t: number, x: number, tx: number, T: number): number {
  return pAlive(p, x, tx, T) * aliveExpectation(p, x, T, t);
}

/** E[X(t)]: expected repeat transactions in (0, t] of a customer who just made a first purchase (FHL eq. (9)). */
export function expectedTransactions(p: Shape, t: number): number {
  return aliveExpectation(p, 0, 0, t);
}

/**
 * Seeded simulation from the two models, for parameter-recovery tests and generated brands.
 * Deterministic for a given seed on every platform (integer PRNG, no Math.random).
 */
import type { BgnbdObservation } from "./bgnbd.js";
import type { SpendObservation } from "./gammagamma.js";

/** mulberry32: a small 32-bit PRNG, ample for simulation; returns uniforms in (0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 via the U^(1/shape) boost. */
export function gamma(u: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(u, shape + 1, rate) * Math.pow(u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v0 = 1 + c * z;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    if (Math.log(u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function beta(u: () => number, a: number, b: number): number {
  const x = gamma(u, a, 1);
  return x / (x + gamma(u, b, 1));
}

/**
 * One BG/NBD customer observed for T after a first purchase at 0: λ ~ Gamma(r, α),
 * p ~ Beta(a, b); exponential gaps while alive; after each repeat purchase the customer
 * drops out with probability p (FHL 2005 assumptions i–v; no dropout at the first purchase).
 */
export function simulateBgnbdCustomer(u: () => number, params: { r: number; alpha: number; a: number; b: number }, T: number): BgnbdObservation {
  const lambda = gamma(u, params.r, params.alpha);
  const p = beta(u, params.a, params.b);
  let t = 0;
  let x = 0;
  let tx = 0;
  for (;;) {
    t += -Math.log(u()) / lambda;
    if (t > T) break;
    x++;
    tx = t;
    if (u() < p) break;
  }
  return { x, tx, T };
}

/**
 * One Gamma-Gamma customer with x repeat transactions: ν ~ Gamma(q, γ), each value
 * ~ Gamma(p, ν); returns the mean m̄.
 */
export function simulateSpend(u: () => number, params: { p: number; q: number; gamma: number }, x: number): SpendObservation {
  const nu = gamma(u, params.q, params.gamma);
  let sum = 0;
  for (let i = 0; i < x; i++) sum += gamma(u, params.p, nu);
  return { x, m: x > 0 ? sum / x : 0 };
}

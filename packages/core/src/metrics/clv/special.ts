import gammaln from "@stdlib/math-base-special-gammaln";
import hyp2f1Raw from "@stdlib/math-base-special-hyp2f1";

/** ln Γ(x) for x > 0 (stdlib's Lanczos/Cephes port, ~1e-15 relative). */
export const lnGamma: (x: number) => number = gammaln;

/** ln(e^u + e^v) without overflow: the BG/NBD likelihood mixes terms that differ by hundreds of nats. */
export function logSumExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = Math.max(u, v);
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

/**
 * Gauss hypergeometric 2F1(a, b; c; z) for z < 1 (stdlib's port of Cephes hyp2f1).
 *
 * special.test.ts checks it against closed forms, mpmath and the power series, for the
 * arguments BG/NBD produces (z = t/(α+T+t) in [0, 1)) and for negative z, which stdlib maps
 * onto (0, 1) itself by the Pfaff transformation 2F1(a, b; c; z) = (1−z)^−a 2F1(a, c−b; c; z/(z−1)).
 * z ≥ 1 is outside the series' domain and never arises here: refused rather than continued.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z < 1)) throw new RangeError(`hyp2f1: z must be < 1 (got ${z})`);
  return hyp2f1Raw(a, b, c, z);
}

/**
 * Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader & Hardie 2013,
 * "The Gamma-Gamma Model of Monetary Value"; also Fader, Hardie & Lee 2005, JMR 42(4)).
 * A customer's transaction values are Gamma(p, ν); ν varies across customers as Gamma(q, γ).
 * Fitted on customers with x ≥ 1 repeat transactions and m̄ > 0, the mean of those repeat
 * transactions (the first purchase is left out, as in the note's CDNOW analysis).
 */
import { minimize } from "./optimize.js";
import { lnGamma } from "./special.js";

export interface SpendObservation {
  /** Repeat transactions. */
  x: number;
  /** Mean value of the repeat transactions (minor units). */
  m: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  /** Scale, in the monetary unit of m. */
  gamma: number;
  logLikelihood: number;
  customers: number;
}

type Shape = Pick<GammaGammaParams, "p" | "q" | "gamma">;

/** Observations the model can use: x ≥ 1 and a positive mean (ln m̄ must exist). */
export function usableForSpend(o: SpendObservation): boolean {
  return o.x >= 1 && o.m > 0 && Number.isFinite(o.m);
}

/**
 * ln f(m̄ | p, q, γ, x): the density of the mean of x Gamma(p, ν) values with ν ~ Gamma(q, γ)
 * integrated out (the note's marginal distribution of m̄):
 *   Γ(px+q) / (Γ(px) Γ(q)) · γ^q m̄^(px−1) x^(px) / (γ + x m̄)^(px+q).
 */
export function logLikelihoodOne(s: Shape, x: number, m: number): number {
  const { p, q, gamma } = s;
  const px = p * x;
  return lnGamma(px + q) - lnGamma(px) - lnGamma(q) + q * Math.log(gamma) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(gamma + x * m);
}

/**
 * Total log-likelihood, factored like logLikelihoodOne: the ln Γ terms once per distinct x,
 * ln m̄ once per customer, so each evaluation costs one log per customer.
 */
export function logLikelihood(s: Shape, data: readonly SpendObservation[]): number {
  return prepared(data)(s);
}

function prepared(data: readonly SpendObservation[]): (s: Shape) => number {
  const xs = [...new Set(data.map((o) => o.x))];
  const xIndex = new Map(xs.map((x, j) => [x, j]));
  const xi = Uint32Array.from(data, (o) => xIndex.get(o.x) as number);
  const xOf = Float64Array.from(data, (o) => o.x);
  const m = Float64Array.from(data, (o) => o.m);
  const lnM = m.map(Math.log);
  return ({ p, q, gamma }) => {
    const byX = xs.map((x) => lnGamma(p * x + q) - lnGamma(p * x) + p * x * Math.log(x));
    let sum = data.length * (q * Math.log(gamma) - lnGamma(q));
    for (let i = 0; i < m.length; i++) {
      const x = xOf[i] as number;
      const px = p * x;
      sum += (byX[xi[i] as number] as number) + (px - 1) * (lnM[i] as number) - (px + q) * Math.log(gamma + x * (m[i] as number));
    }
    return sum;
  };
}

/**
 * Maximum likelihood over (ln p, ln q, ln γ). Start: p = 1, q = 2 and γ = mean m̄, which makes
 * the population mean spend pγ/(q−1) equal to the observed one, so the start is on the data's
 * scale whatever the currency unit.
 */
export function fitGammaGamma(data: Iterable<SpendObservation>): GammaGammaParams & { evaluations: number; converged: boolean } {
  const used = [...data].filter(usableForSpend);
  if (used.length === 0) throw new RangeError("Gamma-Gamma: no customer with a repeat transaction of positive value");
  const meanM = used.reduce((s, o) => s + o.m, 0) / used.length;
  const ll = prepared(used);
  const fromLog = (v: number[]): Shape => ({ p: Math.exp(v[0] as number), q: Math.exp(v[1] as number), gamma: Math.exp(v[2] as number) });
  const res = minimize((v) => -ll(fromLog(v)), [0, Math.log(2), Math.log(meanM)]);
  return { ...fromLog(res.x), logLikelihood: -res.value, customers: used.length, evaluations: res.evaluations, converged: res.converged };
}

/**
 * E[M | p, q, γ, m̄, x] = p(γ + x m̄) / (px + q − 1): the expected value of the customer's future
 * transactions, a weighted mean of the population mean pγ/(q−1) and the customer's own m̄,
 * the weight on m̄ growing with x. x = 0 (or no usable m̄, passed as m̄ = 0 with x = 0) gives the
 * population mean. Requires q > 1 when x = 0 (otherwise the population mean is infinite).
 */
export function expectedAverageValue(s: Shape, x: number, m: number): number {
  const { p, q, gamma } = s;
  const den = p * x + q - 1;
  if (!(den > 0)) throw new RangeError(`Gamma-Gamma: no finite expected spend (p·x + q − 1 = ${den})`);
  return (p * (gamma + x * m)) / den;
}

/** Population mean spend per transaction, pγ/(q−1) (q > 1). */
export function populationMeanValue(s: Shape): number {
  return expectedAverageValue(s, 0, 0);
}

import { describe, expect, it } from "vitest";
import { CDNOW_CALIBRATION_END, readCdnow } from "./cdnow-fixture.js";
import { expectedAverageValue, fitGammaGamma, logLikelihood, populationMeanValue, type SpendObservation } from "./gammagamma.js";
import { logParamStandardErrors } from "./hessian.js";
import { rng, simulateSpend } from "./simulate.js";
import { summarizeLog } from "./summary.js";

const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
/** Fader & Hardie (2013) estimates on the CDNOW sample, as printed (dollars). */
const PUBLISHED = { p: 6.25, q: 3.74, gamma: 15.44 };

function cdnowSpend(which: "sample" | "master", divisor: number): SpendObservation[] {
  return [...summarizeLog(readCdnow(which), CDNOW_CALIBRATION_END).values()].map((s) => ({ x: s.x, m: s.m / divisor }));
}

describe("Gamma-Gamma on the CDNOW sample (Fader & Hardie 2013)", () => {
  it("reproduces p = 6.25, q = 3.74, γ = 15.44 from the 946 repeat buyers' mean repeat spend", () => {
    const fit = fitGammaGamma(cdnowSpend("sample", 100));
    console.log(`CDNOW sample Gamma-Gamma: ${JSON.stringify(fit)}`);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(946); // x = 0 customers have no m̄ and are left out
    expect(fit.p.toFixed(2)).toBe("6.25");
    expect(fit.q.toFixed(2)).toBe("3.74");
    expect(fit.gamma.toFixed(2)).toBe("15.44");
    // The note prints no LL; CLVTools' correctness test for the same data and model has −4055.9177.
    expect(fit.logLikelihood.toFixed(4)).toBe("-4055.9177");
  });

  it("is unit-free except γ: in cents γ × 100 and LL − 946 · ln 100 (the density of m̄ rescales)", () => {
    const dollars = fitGammaGamma(cdnowSpend("sample", 100));
    const cents = fitGammaGamma(cdnowSpend("sample", 1));
    expect(rel(cents.p, dollars.p)).toBeLessThan(1e-5);
    expect(rel(cents.q, dollars.q)).toBeLessThan(1e-5);
    expect(rel(cents.gamma, 100 * dollars.gamma)).toBeLessThan(1e-5);
    expect(cents.logLikelihood - (dollars.logLikelihood - 946 * Math.log(100))).toBeCloseTo(0, 6);
  });

  it("leaves out x = 0 and non-positive means", () => {
    const data = [{ x: 0, m: 0 }, { x: 2, m: 0 }, { x: 1, m: -5 }, { x: 3, m: 20 }, { x: 1, m: 10 }, { x: 4, m: 35 }];
    expect(fitGammaGamma(data).customers).toBe(3);
    expect(() => fitGammaGamma([{ x: 0, m: 0 }])).toThrow(RangeError);
  });
});

describe("Gamma-Gamma expected spend", () => {
  it("E[M | x, m̄] = p(γ + x m̄)/(px + q − 1), shrinking m̄ to the population mean pγ/(q − 1)", () => {
    // Customer 00004 of CDNOW: x = 2, m̄ = $22.345 → 6.25 (15.44 + 44.69) / (12.5 + 2.74) = 24.6597...
    expect(expectedAverageValue(PUBLISHED, 2, 22.345)).toBeCloseTo((6.25 * 60.13) / 15.24, 12);
    expect(populationMeanValue(PUBLISHED)).toBeCloseTo((6.25 * 15.44) / 2.74, 12); // $35.22
    expect(expectedAverageValue(PUBLISHED, 0, 0)).toBe(populationMeanValue(PUBLISHED));
    // Many purchases: the customer's own mean dominates.
    expect(rel(expectedAverageValue(PUBLISHED, 1000, 50), 50)).toBeLessThan(0.003);
    expect(() => expectedAverageValue({ p: 1, q: 0.5, gamma: 1 }, 0, 0)).toThrow(RangeError);
  });
});

describe("Gamma-Gamma parameter recovery and speed", () => {
  it("recovers the parameters of 5,000 simulated repeat buyers within 3 standard errors", () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const u = rng(7);
    // x: 1 + geometric, mean 2.5 repeat purchases, like a brand's repeat buyers.
    const data = Array.from({ length: 5000 }, () => {
      let x = 1;
      while (u() < 0.6) x++;
      return simulateSpend(u, truth, x);
    });
    const fit = fitGammaGamma(data);
    const est = [fit.p, fit.q, fit.gamma].map(Math.log);
    const se = logParamStandardErrors((v) => logLikelihood({ p: Math.exp(v[0] as number), q: Math.exp(v[1] as number), gamma: Math.exp(v[2] as number) }, data), est);
    console.log(`Gamma-Gamma recovery: truth ${JSON.stringify(truth)} fit ${JSON.stringify(fit)} se(log) ${se.map((s) => s.toFixed(3))}`);
    [truth.p, truth.q, truth.gamma].forEach((want, i) => {
      // Same argument as for BG/NBD: the log-MLE is asymptotically normal with this se.
      expect(Math.abs((est[i] as number) - Math.log(want)) / (se[i] as number), `param ${i}`).toBeLessThan(3);
      expect(se[i] as number).toBeLessThan(0.25);
    });
  });

  it("fits the CDNOW master's repeat buyers quickly: time printed, not asserted", () => {
    const data = cdnowSpend("master", 100);
    const t0 = performance.now();
    const fit = fitGammaGamma(data);
    console.log(`CDNOW master Gamma-Gamma: ${fit.customers} customers, ${(performance.now() - t0).toFixed(0)} ms (${fit.evaluations} evaluations): p=${fit.p.toFixed(3)} q=${fit.q.toFixed(3)} gamma=${fit.gamma.toFixed(3)} LL=${fit.logLikelihood.toFixed(1)}`);
    expect(fit.customers).toBe(9450); // 9,451 repeat buyers, one of whom spent $0 on average
  });
});

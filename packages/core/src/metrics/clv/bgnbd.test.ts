import { describe, expect, it } from "vitest";
import { conditionalExpectedTransactions, expectedTransactions, fitBgnbd, groupObservations, logLikelihood, logLikelihoodOne, pAlive, type BgnbdObservation } from "./bgnbd.js";
import { CDNOW_CALIBRATION_END, readCdnow } from "./cdnow-fixture.js";
import { logParamStandardErrors } from "./hessian.js";
import { rng, simulateBgnbdCustomer } from "./simulate.js";
import { summarizeLog } from "./summary.js";

/** FHL (2005) estimates on the CDNOW sample, as printed. */
const PUBLISHED = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
const cdnowSample = (unit: "WEEK" | "DAY" = "WEEK") => [...summarizeLog(readCdnow("sample"), CDNOW_CALIBRATION_END, unit).values()];

describe("BG/NBD on the CDNOW sample (Fader, Hardie & Lee 2005)", () => {
  it("reproduces the published estimates and log-likelihood to the printed digits", () => {
    const fit = fitBgnbd(cdnowSample(), "WEEK");
    console.log(`CDNOW sample BG/NBD: ${JSON.stringify(fit)}`);
    expect(fit.converged).toBe(true);
    expect(fit.r.toFixed(3)).toBe("0.243");
    expect(fit.alpha.toFixed(3)).toBe("4.414");
    expect(fit.a.toFixed(3)).toBe("0.793");
    expect(fit.b.toFixed(3)).toBe("2.426");
    expect(fit.logLikelihood.toFixed(1)).toBe("-9582.4");
    expect(fit).toMatchObject({ customers: 2357, timeUnit: "WEEK" });
  });

  it("grouped likelihood equals the sum of per-customer likelihoods", () => {
    const data = cdnowSample();
    const g = groupObservations(data);
    expect(g.customers).toBe(2357);
    expect(g.n.length).toBeLessThan(1100); // 1,016 distinct (x, t_x, T)
    const direct = data.reduce((s, o) => s + logLikelihoodOne(PUBLISHED, o.x, o.tx, o.T), 0);
    expect(rel(logLikelihood(PUBLISHED, g), direct)).toBeLessThan(1e-12);
  });

  it("is the same model in days: r, a, b unchanged, α × 7, LL shifted by −Σx · ln 7 (the rate's unit)", () => {
    const weeks = fitBgnbd(cdnowSample("WEEK"), "WEEK");
    const days = fitBgnbd(cdnowSample("DAY"), "DAY");
    expect(rel(days.r, weeks.r)).toBeLessThan(1e-5);
    expect(rel(days.a, weeks.a)).toBeLessThan(1e-5);
    expect(rel(days.b, weeks.b)).toBeLessThan(1e-5);
    expect(rel(days.alpha, 7 * weeks.alpha)).toBeLessThan(1e-5);
    expect(days.logLikelihood - (weeks.logLikelihood - 2457 * Math.log(7))).toBeCloseTo(0, 6);
  });
});

describe("BG/NBD predictions", () => {
  it("P(alive) is 1 for x = 0 by the model's construction, and matches mpmath elsewhere", () => {
    expect(pAlive(PUBLISHED, 0, 0, 38.86)).toBe(1);
    expect(pAlive(PUBLISHED, 0, 0, 1e6)).toBe(1);
    // Reference values: mpmath at 40 digits of 1/(1 + a/(b+x−1) ((α+T)/(α+t_x))^(r+x)).
    expect(rel(pAlive(PUBLISHED, 2, 30.43, 38.86), 0.72657857008067291)).toBeLessThan(1e-13);
    expect(rel(pAlive(PUBLISHED, 1, 10, 30), 0.50910857596861745)).toBeLessThan(1e-13);
    expect(rel(pAlive(PUBLISHED, 5, 20, 39), 0.28379408975416143)).toBeLessThan(1e-13);
    expect(rel(pAlive(PUBLISHED, 3, 1, 39), 0.0064845388136413679)).toBeLessThan(1e-12);
    // A purchase at the end of the window means alive as far as the data can tell, save the dropout right after it.
    expect(pAlive(PUBLISHED, 3, 39, 39)).toBeCloseTo(1 / (1 + PUBLISHED.a / (PUBLISHED.b + 2)), 14);
  });

  it("conditional expectation: the paper's example (x = 2, t_x = 30.43, T = 38.86 → 1.226 in the next 39 weeks)", () => {
    expect(conditionalExpectedTransactions(PUBLISHED, 39, 2, 30.43, 38.86).toFixed(3)).toBe("1.226");
  });

  it("conditional expectation matches mpmath's evaluation of FHL eq. (10) without our Euler rewrite", () => {
    const cases: [number, number, number, number, number][] = [
      [39, 2, 30.43, 38.86, 1.2260281747671444],
      [52, 0, 0, 272 / 7, 0.25208765687210037],
      [52, 1, 10, 30, 0.75389841654018114],
      [52, 10, 35, 39, 7.6800583067878494],
      [52, 50, 38, 39, 41.322481613203944],
      [520, 50, 38, 39, 165.18875258593474],
      [5200, 3, 1, 39, 0.23273919374634793],
      [1, 5, 20, 39, 0.034037878563595121],
    ];
    for (const [t, x, tx, T, want] of cases) expect(rel(conditionalExpectedTransactions(PUBLISHED, t, x, tx, T), want), `${[t, x, tx, T]}`).toBeLessThan(1e-12);
    expect(conditionalExpectedTransactions(PUBLISHED, 0, 2, 30, 38)).toBe(0);
  });

  it("expectations start at the posterior mean rate: E[Y(t)]/t → P(alive)(r+x)/(α+T) and E[X(t)]/t → r/α as t → 0", () => {
    const { r, alpha } = PUBLISHED;
    const t = 1e-6;
    expect(rel(expectedTransactions(PUBLISHED, t) / t, r / alpha)).toBeLessThan(1e-5);
    for (const [x, tx, T] of [[0, 0, 39], [2, 30.43, 38.86], [10, 35, 39]] as const) {
      expect(rel(conditionalExpectedTransactions(PUBLISHED, t, x, tx, T) / t, (pAlive(PUBLISHED, x, tx, T) * (r + x)) / (alpha + T))).toBeLessThan(1e-5);
    }
  });

  it("unconditional E[X(t)] (FHL eq. (9)) matches mpmath and a simulation of the model", () => {
    for (const [t, want] of [[39, 1.1967231933208168], [52, 1.4460505953964037], [78, 1.8605190579427685], [520, 4.9746178618496597]] as const) {
      expect(rel(expectedTransactions(PUBLISHED, t), want), `t=${t}`).toBeLessThan(1e-12);
    }
    // 200,000 simulated customers over 52 weeks: the mean count is within 4 standard errors.
    const u = rng(20250101);
    let sum = 0;
    let sumSq = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const { x } = simulateBgnbdCustomer(u, PUBLISHED, 52);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const se = Math.sqrt((sumSq / n - mean * mean) / n);
    expect(Math.abs(mean - expectedTransactions(PUBLISHED, 52))).toBeLessThan(4 * se);
  });

  it("a = 1, where eq. (9)/(10) read 0/0, gives the limit (mpmath: 1.94449703332538, 1.28998825248407)", () => {
    for (const a of [1 - 1e-5, 1, 1 + 1e-5]) {
      expect(rel(conditionalExpectedTransactions({ ...PUBLISHED, a }, 52, 3, 30, 39), 1.9444970333253784)).toBeLessThan(1e-5);
      expect(rel(expectedTransactions({ ...PUBLISHED, a }, 52), 1.2899882524840688)).toBeLessThan(1e-5);
    }
    expect(rel(conditionalExpectedTransactions({ ...PUBLISHED, a: 1 }, 52, 3, 30, 39), 1.9444970333253784)).toBeLessThan(1e-8);
  });
});

describe("BG/NBD parameter recovery", () => {
  it("recovers the parameters of 5,000 simulated customers within 3 standard errors", () => {
    const truth = { r: 0.5, alpha: 6, a: 0.7, b: 2.5 };
    const u = rng(42);
    // Customers acquired over a year, observed to a common end: T uniform on 1–52 weeks.
    const data: BgnbdObservation[] = Array.from({ length: 5000 }, () => simulateBgnbdCustomer(u, truth, 1 + 51 * u()));
    const g = groupObservations(data);
    const fit = fitBgnbd(g, "WEEK");
    const est = [fit.r, fit.alpha, fit.a, fit.b].map(Math.log);
    const se = logParamStandardErrors((v) => logLikelihood({ r: Math.exp(v[0] as number), alpha: Math.exp(v[1] as number), a: Math.exp(v[2] as number), b: Math.exp(v[3] as number) }, g), est);
    console.log(`BG/NBD recovery: truth ${JSON.stringify(truth)} fit ${JSON.stringify(fit)} se(log) ${se.map((s) => s.toFixed(3))}`);
    [truth.r, truth.alpha, truth.a, truth.b].forEach((want, i) => {
      // Asymptotic normality of the MLE: |ln θ̂ − ln θ| / se is ~N(0,1); 3 se fails by chance 0.3% of
      // the time per parameter, and the seed is fixed, so a failure here is a bug, not luck.
      expect(Math.abs((est[i] as number) - Math.log(want)) / (se[i] as number), `param ${i}`).toBeLessThan(3);
      // and se itself is small enough for the check to mean something (≤ 25% relative).
      expect(se[i] as number).toBeLessThan(0.25);
    });
  });
});

describe("BG/NBD fitting speed", () => {
  it("fits the CDNOW master (23,570 customers) quickly: time printed, not asserted", () => {
    const t0 = performance.now();
    const data = [...summarizeLog(readCdnow("master"), CDNOW_CALIBRATION_END).values()];
    const t1 = performance.now();
    const g = groupObservations(data);
    const fit = fitBgnbd(g, "WEEK");
    const t2 = performance.now();
    console.log(`CDNOW master: ${data.length} customers, ${g.n.length} groups; summaries ${(t1 - t0).toFixed(0)} ms, BG/NBD fit ${(t2 - t1).toFixed(0)} ms (${fit.evaluations} evaluations): r=${fit.r.toFixed(3)} alpha=${fit.alpha.toFixed(3)} a=${fit.a.toFixed(3)} b=${fit.b.toFixed(3)} LL=${fit.logLikelihood.toFixed(1)}`);
    expect(data.length).toBe(23_570);
    expect(fit.converged).toBe(true);
  });
});

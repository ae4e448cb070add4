/**
 * Nelder–Mead simplex minimiser (Nelder & Mead 1965, with the standard coefficients of
 * Lagarias et al. 1998: reflection 1, expansion 2, contraction 1/2, shrink 1/2).
 *
 * Derivative-free, so the likelihoods need no gradients; the models are fitted over
 * log-parameters, so the search is unconstrained. Nelder–Mead can stall on a degenerate
 * simplex short of the optimum, so after convergence it restarts from the best point with a
 * fresh simplex until a restart no longer improves the value (the usual remedy, e.g. Numerical
 * Recipes §10.5). Non-finite objective values count as +∞, which keeps the search away from
 * regions where the likelihood under- or overflows.
 */
export interface MinimizeOptions {
  /** Edge of the initial simplex along each axis (log-parameter units). */
  step?: number;
  /** Converged when the values in the simplex differ by at most fTol·(1 + |best|)... */
  fTol?: number;
  /** ...and the simplex fits in a box of this half-width. */
  xTol?: number;
  maxEvaluations?: number;
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function minimize(f: (x: number[]) => number, start: number[], options: MinimizeOptions = {}): MinimizeResult {
  const { step = 0.5, fTol = 1e-12, xTol = 1e-7, maxEvaluations = 20_000, maxRestarts = 10 } = options;
  let evaluations = 0;
  const g = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = { x: start.slice(), value: g(start) };
  let converged = false;
  for (let restart = 0; restart <= maxRestarts && evaluations < maxEvaluations; restart++) {
    const run = simplex(g, best.x, step, fTol, xTol, () => evaluations < maxEvaluations);
    const improved = best.value - run.value;
    if (run.value <= best.value) best = run;
    converged = run.converged;
    // A restart that moves the optimum by less than the tolerance confirms it.
    if (restart > 0 && run.converged && improved <= fTol * (1 + Math.abs(best.value))) break;
  }
  return { ...best, evaluations, converged };
}

function simplex(f: (x: number[]) => number, x0: number[], step: number, fTol: number, xTol: number, budget: () => boolean) {
  const n = x0.length;
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = (p[i] as number) + step;
    pts.push(p);
  }
  const vals = pts.map(f);
  const order = pts.map((_, i) => i);
  const at = (i: number) => pts[order[i] as number] as number[];
  const valAt = (i: number) => vals[order[i] as number] as number;
  const set = (i: number, p: number[], v: number) => {
    pts[order[i] as number] = p;
    vals[order[i] as number] = v;
  };
  const combine = (c: number[], w: number[], t: number) => c.map((ci, j) => ci + t * ((w[j] as number) - ci));
  let converged = false;
  while (budget()) {
    order.sort((i, j) => (vals[i] as number) - (vals[j] as number));
    const lo = valAt(0);
    const hi = valAt(n);
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs((at(i)[j] as number) - (at(0)[j] as number)));
    if (Math.abs(hi - lo) <= fTol * (1 + Math.abs(lo)) && spread <= xTol) {
      converged = true;
      break;
    }
    // Centroid of all points but the worst.
    const c = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] = (c[j] as number) + (at(i)[j] as number) / n;
    const worst = at(n);
    const xr = combine(c, worst, -1);
    const fr = f(xr);
    if (fr < lo) {
      const xe = combine(c, worst, -2);
      const fe = f(xe);
      if (fe < fr) set(n, xe, fe);
      else set(n, xr, fr);
      continue;
    }
    if (fr < valAt(n - 1)) {
      set(n, xr, fr);
      continue;
    }
    // Outside contraction if the reflection beat the worst point, inside otherwise.
    const outside = fr < hi;
    const xc = combine(c, outside ? xr : worst, 0.5);
    const fc = f(xc);
    if (fc < (outside ? fr : hi)) {
      set(n, xc, fc);
      continue;
    }
    const b = at(0);
    for (let i = 1; i <= n; i++) {
      const p = combine(b, at(i), 0.5);
      set(i, p, f(p));
    }
  }
  order.sort((i, j) => (vals[i] as number) - (vals[j] as number));
  return { x: at(0).slice(), value: valAt(0), converged };
}

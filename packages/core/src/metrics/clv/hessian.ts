/**
 * Standard errors of maximum-likelihood estimates from the observed information: the inverse
 * of the negative Hessian of the log-likelihood, by central differences in log-parameter space.
 * Used by the parameter-recovery tests to set tolerances from the data rather than by guess.
 */
export function logParamStandardErrors(ll: (v: number[]) => number, at: number[], h = 1e-4): number[] {
  const n = at.length;
  const f = (d: Record<number, number>) => ll(at.map((v, i) => v + (d[i] ?? 0)));
  const H: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const f0 = f({});
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v =
        i === j
          ? (f({ [i]: h }) - 2 * f0 + f({ [i]: -h })) / (h * h)
          : (f({ [i]: h, [j]: h }) - f({ [i]: h, [j]: -h }) - f({ [i]: -h, [j]: h }) + f({ [i]: -h, [j]: -h })) / (4 * h * h);
      (H[i] as number[])[j] = -v;
      (H[j] as number[])[i] = -v;
    }
  }
  return invert(H).map((row, i) => Math.sqrt(row[i] as number));
}

/** Gauss–Jordan inverse with partial pivoting (n ≤ 4 here). */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[p] as number[])[c] as number)) p = r;
    [a[c], a[p]] = [a[p] as number[], a[c] as number[]];
    const pivotRow = a[c] as number[];
    const pivot = pivotRow[c] as number;
    for (let k = 0; k < 2 * n; k++) pivotRow[k] = (pivotRow[k] as number) / pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = a[r] as number[];
      const factor = row[c] as number;
      for (let k = 0; k < 2 * n; k++) row[k] = (row[k] as number) - factor * (pivotRow[k] as number);
    }
  }
  return a.map((row) => row.slice(n));
}

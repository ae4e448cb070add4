import { describe, expect, it } from "vitest";
import { minimize } from "./optimize.js";

describe("Nelder–Mead", () => {
  it("finds the Rosenbrock minimum from the classic start (−1.2, 1)", () => {
    const res = minimize(([x = 0, y = 0]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2, [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
    expect(res.value).toBeLessThan(1e-10);
  });

  it("minimises a 4-d quadratic with scaled, correlated axes, and treats NaN as +∞", () => {
    const f = ([a = 0, b = 0, c = 0, d = 0]: number[]) => (a < -5 ? NaN : (a - 1) ** 2 + 10 * (b + 2) ** 2 + 0.1 * (c - a) ** 2 + (d - 3) ** 2 + 0.5 * (b - d) ** 2);
    const res = minimize(f, [0, 0, 0, 0], { step: 4 });
    // Stationary point by hand: ∂c ⇒ c = a; ∂a ⇒ a = 1; ∂b: 21b + 40 − d = 0; ∂d: 3d − 6 − b = 0
    // ⇒ d = 43/31, b = −57/31.
    [1, -57 / 31, 1, 43 / 31].forEach((want, i) => expect(res.x[i]).toBeCloseTo(want, 6));
  });
});

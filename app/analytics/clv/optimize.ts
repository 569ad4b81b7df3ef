/**
 * Derivative-free minimisation for the small (3–4 parameter) maximum
 * likelihood fits of the CLV models. Nelder–Mead is enough at this size and
 * needs no gradients of the hypergeometric/log-gamma terms.
 */

export interface MinimizeOptions {
  /** Edge length of the starting simplex (in log-space for `minimizePositive`). */
  initialStep?: number;
  /** Simplex iterations allowed per run before giving up. */
  maxIterations?: number;
  /** Stop when the simplex spread in value and position falls below this. */
  tolerance?: number;
  /** Fresh simplexes started from the best point to escape premature collapse. */
  maxRestarts?: number;
}

export interface Minimum {
  point: number[];
  value: number;
  converged: boolean;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

interface Vertex {
  point: number[];
  value: number;
}

/** Nelder–Mead with restarts: a collapsed simplex can stall on a slope, a restart re-checks. */
export function minimize(objective: (point: number[]) => number, start: number[], options: MinimizeOptions = {}): Minimum {
  const { initialStep = 0.5, maxIterations = 5000, tolerance = 1e-10, maxRestarts = 10 } = options;
  // Non-finite values (parameters outside the support) must lose every comparison.
  const safeObjective = (point: number[]) => {
    const value = objective(point);
    return Number.isFinite(value) ? value : Infinity;
  };

  let best = nelderMeadRun(safeObjective, start, initialStep, maxIterations, tolerance);
  for (let restart = 0; restart < maxRestarts; restart++) {
    const next = nelderMeadRun(safeObjective, best.point, initialStep, maxIterations, tolerance);
    const improvement = best.value - next.value;
    if (next.value <= best.value) best = next;
    if (next.converged && improvement <= tolerance * (Math.abs(best.value) + 1)) {
      return { ...best, converged: Number.isFinite(best.value) };
    }
  }
  return { ...best, converged: false };
}

/** Minimise over strictly positive parameters by searching their logarithms. */
export function minimizePositive(
  objective: (params: number[]) => number,
  start: number[],
  options: MinimizeOptions = {},
): Minimum {
  const found = minimize((logs) => objective(logs.map(Math.exp)), start.map(Math.log), options);
  return { ...found, point: found.point.map(Math.exp) };
}

function nelderMeadRun(
  objective: (point: number[]) => number,
  start: number[],
  step: number,
  maxIterations: number,
  tolerance: number,
): Minimum {
  const n = start.length;
  const vertex = (point: number[]): Vertex => ({ point, value: objective(point) });
  const simplex: Vertex[] = [vertex([...start])];
  for (let i = 0; i < n; i++) {
    const point = [...start];
    point[i] += step;
    simplex.push(vertex(point));
  }

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    simplex.sort((u, w) => u.value - w.value);
    const best = simplex[0];
    const worst = simplex[n];
    if (hasCollapsed(simplex, tolerance)) return { ...best, converged: true };

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) centroid[j] += simplex[i].point[j] / n;
    }
    const towards = (coefficient: number, from: number[]) => centroid.map((c, j) => c + coefficient * (from[j] - c));

    const reflected = vertex(towards(-REFLECT, worst.point));
    if (reflected.value < best.value) {
      const expanded = vertex(towards(EXPAND, reflected.point));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[n - 1].value) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.value < worst.value;
      const contracted = vertex(towards(CONTRACT, outside ? reflected.point : worst.point));
      if (contracted.value < Math.min(reflected.value, worst.value)) {
        simplex[n] = contracted;
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = vertex(best.point.map((b, j) => b + SHRINK * (simplex[i].point[j] - b)));
        }
      }
    }
  }
  simplex.sort((u, w) => u.value - w.value);
  return { ...simplex[0], converged: false };
}

function hasCollapsed(sortedSimplex: Vertex[], tolerance: number): boolean {
  const best = sortedSimplex[0];
  const worst = sortedSimplex[sortedSimplex.length - 1];
  if (!Number.isFinite(worst.value)) return false;
  const valueSpread = worst.value - best.value;
  const positionSpread = Math.max(...sortedSimplex.map((v) => Math.max(...v.point.map((x, j) => Math.abs(x - best.point[j])))));
  return valueSpread <= tolerance * (Math.abs(best.value) + 1) && positionSpread <= Math.sqrt(tolerance);
}

/**
 * Test support: a linear-chain CRF by enumeration of every tag path, in float64 plain JS, as the reference for the
 * forward algorithm, its gradients and Viterbi. Not part of the build (see tsconfig exclude).
 */
import type { CrfConstraints } from '../constraints';

/** Parameters as plain arrays: transitions (K·K) `[from][to]`, start (K), end (K). */
export interface PlainCrf {
  transitions: ArrayLike<number>;
  start: ArrayLike<number>;
  end: ArrayLike<number>;
}

/** Every path of `length` tags over `K` tags (K^length of them). */
export function allPaths(K: number, length: number): number[][] {
  let paths: number[][] = [[]];
  for (let t = 0; t < length; t++) paths = paths.flatMap((p) => Array.from({ length: K }, (_, k) => [...p, k]));
  return paths;
}

/** Whether `path` uses only transitions, start and end that `constraints` allow. */
export function isAllowed(path: number[], constraints?: CrfConstraints): boolean {
  if (constraints === undefined) return true;
  if (!constraints.start[path[0]] || !constraints.end[path[path.length - 1]]) return false;
  return path.every((y, t) => t === 0 || constraints.transitions[path[t - 1]][y]);
}

/** Score of `path` over `emissions` (rows of K scores, at least `path.length` of them), unpenalised. */
export function pathScore(emissions: number[][], path: number[], p: PlainCrf): number {
  const K = p.start.length;
  let s = p.start[path[0]] + p.end[path[path.length - 1]];
  path.forEach((y, t) => {
    s += emissions[t][y];
    if (t > 0) s += p.transitions[path[t - 1] * K + y];
  });
  return s;
}

/** log Σ exp over the allowed paths of length `length`. */
export function logPartition(emissions: number[][], length: number, p: PlainCrf, constraints?: CrfConstraints): number {
  const scores = allPaths(p.start.length, length)
    .filter((path) => isAllowed(path, constraints))
    .map((path) => pathScore(emissions, path, p));
  const max = Math.max(...scores);
  return max + Math.log(scores.reduce((a, s) => a + Math.exp(s - max), 0));
}

/** log p(gold) = score(gold) − log Z over the allowed paths (gold must be allowed). */
export function logLikelihood(
  emissions: number[][],
  gold: number[],
  p: PlainCrf,
  constraints?: CrfConstraints,
): number {
  return pathScore(emissions, gold, p) - logPartition(emissions, gold.length, p, constraints);
}

/** How often each parameter and emission is used by a path: the sufficient statistics of the CRF. */
export interface Counts {
  /** (length, K). */
  emissions: number[][];
  /** (K·K) `[from][to]`. */
  transitions: number[];
  start: number[];
  end: number[];
}

/** The counts of one path over `K` tags. */
export function pathCounts(path: number[], K: number): Counts {
  const c: Counts = {
    emissions: path.map(() => new Array<number>(K).fill(0)),
    transitions: new Array<number>(K * K).fill(0),
    start: new Array<number>(K).fill(0),
    end: new Array<number>(K).fill(0),
  };
  c.start[path[0]] = 1;
  c.end[path[path.length - 1]] = 1;
  path.forEach((y, t) => {
    c.emissions[t][y] = 1;
    if (t > 0) c.transitions[path[t - 1] * K + y] += 1;
  });
  return c;
}

/**
 * Expected counts over the allowed paths of length `length` (marginals of tags and tag pairs): the gradient of
 * log Z with respect to each emission and parameter.
 */
export function expectedCounts(
  emissions: number[][],
  length: number,
  p: PlainCrf,
  constraints?: CrfConstraints,
): Counts {
  const K = p.start.length;
  const logZ = logPartition(emissions, length, p, constraints);
  const out = pathCounts(new Array<number>(length).fill(0), K);
  out.emissions.forEach((row) => row.fill(0));
  out.start.fill(0);
  out.end.fill(0);
  out.transitions.fill(0);
  for (const path of allPaths(K, length)) {
    if (!isAllowed(path, constraints)) continue;
    const w = Math.exp(pathScore(emissions, path, p) - logZ);
    const c = pathCounts(path, K);
    c.emissions.forEach((row, t) => row.forEach((v, k) => (out.emissions[t][k] += w * v)));
    c.transitions.forEach((v, i) => (out.transitions[i] += w * v));
    c.start.forEach((v, k) => (out.start[k] += w * v));
    c.end.forEach((v, k) => (out.end[k] += w * v));
  }
  return out;
}

/** The best allowed path of length `length` and its score (first found on ties: enumeration is lexicographic). */
export function bestPath(
  emissions: number[][],
  length: number,
  p: PlainCrf,
  constraints?: CrfConstraints,
): { path: number[]; score: number } {
  let best = { path: [] as number[], score: -Infinity };
  for (const path of allPaths(p.start.length, length)) {
    if (!isAllowed(path, constraints)) continue;
    const score = pathScore(emissions, path, p);
    if (score > best.score) best = { path, score };
  }
  return best;
}

/** Row `b` of a row-major (B, T, K) array as T rows of K numbers. */
export function rowOf(values: ArrayLike<number>, b: number, T: number, K: number): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: K }, (_, k) => values[(b * T + t) * K + k]));
}

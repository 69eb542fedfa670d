/**
 * The one seeded pseudo-random generator of emr-re: mulberry32 (Tommy Ettinger's 32-bit generator), whose whole
 * state is one unsigned 32-bit integer. Pure JavaScript, so any package can use it (shuffles, splits, test data,
 * weight-initialiser seeds), and a training checkpoint can store its state and a resumed run continue the stream.
 * The same seed gives the same stream on every machine and Node version.
 *
 * @example
 * const rng = new SeededRandom(42);
 * rng.next(); // a float in [0, 1)
 * rng.shuffle([1, 2, 3, 4]); // the same order for seed 42 every time
 */
export class SeededRandom {
  private s: number;

  /** `seed`: any number; only its low 32 bits (as unsigned) matter. */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The state to store in a checkpoint (an unsigned 32-bit integer). */
  get state(): number {
    return this.s;
  }

  /** Restores a stored state. */
  set state(value: number) {
    this.s = value >>> 0;
  }

  /** A float in [0, 1) (one step of mulberry32). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates, from the last element down) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * `SeededRandom` as a function: each call returns the next float in [0, 1) of the stream seeded by `seed`.
 *
 * @example
 * const random = seededRandom(1);
 * const j = Math.floor(random() * 10);
 */
export function seededRandom(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}

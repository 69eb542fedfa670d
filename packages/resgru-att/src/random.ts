/**
 * A small seeded PRNG (mulberry32) whose whole state is one 32-bit integer, so a training checkpoint
 * can store it and a resumed run continues the same stream.
 */
export class SeededRandom {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The state to store in a checkpoint. */
  get state(): number {
    return this.s;
  }

  /** Restores a stored state. */
  set state(value: number) {
    this.s = value >>> 0;
  }

  /** A float in [0, 1). */
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

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
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
 * Runs `build` with `Math.random` replaced by a stream seeded from `seed`, then restores it.
 * tfjs initialisers without an explicit seed seed themselves from `Math.random()`; layers from other
 * modules do not all take a seed, so this is the one place that makes weight initialisation reproducible.
 * `build` must be synchronous (no other code may observe the replaced function).
 */
export function withSeededRandom<T>(seed: number, build: () => T): T {
  const original = Math.random;
  const rng = new SeededRandom(seed ^ 0x2545f491);
  Math.random = () => rng.next();
  try {
    return build();
  } finally {
    Math.random = original;
  }
}

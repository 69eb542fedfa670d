/**
 * Seeds for everything random in training, all drawn from the one generator of emr-re (`SeededRandom`, mulberry32,
 * from @emr-re/tokenize): batch shuffles, dropout masks and weight initialisers. Nothing here reads or replaces
 * `Math.random`.
 */
import { SeededRandom } from '@emr-re/tokenize';

export { SeededRandom };

/** Largest seed handed out: tfjs' random ops take the seed as a number and treat 0 as "no seed". */
const MAX_SEED = 0x7fffffff;

/**
 * The seed of sub-stream `stream` of `seed`: a nonzero 31-bit integer, the first draw of a `SeededRandom` started from
 * a mix of both. Distinct streams of one seed (e.g. the weights of one layer) get unrelated seeds.
 *
 * @example
 * deriveSeed(7, 0); // the seed of a layer's first weight
 * deriveSeed(7, 1); // of its second
 */
export function deriveSeed(seed: number, stream: number): number {
  const rng = new SeededRandom((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
  return 1 + rng.int(MAX_SEED);
}

/**
 * A stream of nonzero 31-bit seeds from one seed, one per weight initialiser of a network, so that one seed builds
 * the same weights every time: pass each draw to a tfjs initializer (`tfl.initializers.glorotUniform({ seed })`) or to
 * an engine layer's `seed` argument.
 *
 * @example
 * const nextSeed = initializerSeeds(config.seed);
 * tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }) });
 * new Conv1DSame({ filters: 64, kernelSize: 3, seed: nextSeed() });
 */
export function initializerSeeds(seed: number): () => number {
  const rng = new SeededRandom((seed ^ 0x2545f491) >>> 0);
  return () => 1 + rng.int(MAX_SEED);
}

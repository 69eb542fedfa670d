import type { Candidate } from '@emr-re/tokenize';
import { makeCandidate } from './char-ngram-logreg';

/** The labels of the toy tasks. */
export const TOY_LABELS = ['unknown', 'A', 'B'] as const;

/** Trigger characters per class: a class is signalled by any of its four triggers. */
const TRIGGERS: Record<string, string> = { unknown: 'wxyz', A: 'abcd', B: 'pqrs' };
const FILLERS = 'mno';

/** A labelled toy split. */
export interface ToySplit {
  seed: Candidate[];
  pool: Candidate[];
  poolGold: string[];
  dev: Candidate[];
}

/**
 * The chain task: the seed set shows only each class's first trigger; the pool holds sentences with two
 * consecutive triggers (t0 t1, t1 t2, t2 t3), so each iteration can label the next link of the chain;
 * dev sentences carry a single trigger, three quarters of which the seed never shows.
 */
export function chainTask(options: { seedPerClass?: Record<string, number>; poolPerLink?: number } = {}): ToySplit {
  // Every class uses the same filler sequence, so fillers carry no class information.
  const filler = (n: number, position: number): string => FILLERS[(n + position) % FILLERS.length];
  const seed: Candidate[] = [];
  const pool: Candidate[] = [];
  const dev: Candidate[] = [];
  for (const label of TOY_LABELS) {
    const t = TRIGGERS[label];
    const seedCount = options.seedPerClass?.[label] ?? 4;
    for (let n = 0; n < seedCount; n++) seed.push(makeCandidate(`${filler(n, 0)}${t[0]}${filler(n, 1)}`, label));
    for (let link = 0; link < 3; link++) {
      for (let n = 0; n < (options.poolPerLink ?? 5); n++) {
        pool.push(makeCandidate(`${filler(n, 0)}${t[link]}${filler(n, 1)}${t[link + 1]}${filler(n, 2)}`, label));
      }
    }
    for (let i = 0; i < 4; i++)
      for (let n = 0; n < 2; n++) dev.push(makeCandidate(`${filler(n, 1)}${t[i]}${filler(n, 2)}`, label));
  }
  // Interleave the pool so that pool order says nothing about the class.
  const order = pool.map((_, i) => i).sort((a, b) => ((a * 7919) % pool.length) - ((b * 7919) % pool.length) || a - b);
  const shuffled = order.map((i) => pool[i]);
  return { seed, pool: shuffled, poolGold: shuffled.map((c) => c.label), dev };
}

/**
 * The poison task: pool sentences show A's trigger together with a repeated noise character k that the
 * dev set uses in B sentences. Moving them teaches "k means A", and dev F1 falls.
 */
export function poisonTask(): ToySplit {
  const seed = [
    ...['ma', 'an', 'oa', 'am'].map((b) => makeCandidate(b, 'A')),
    ...['mp', 'pn', 'op', 'pm'].map((b) => makeCandidate(b, 'B')),
    ...['mw', 'wn', 'ow', 'wm'].map((b) => makeCandidate(b, 'unknown')),
  ];
  const pool = Array.from({ length: 12 }, (_, i) => makeCandidate(`${'mno'[i % 3]}akkk`, 'unknown'));
  const dev = [
    ...Array.from({ length: 6 }, (_, i) => makeCandidate(`${'mno'[i % 3]}pkkk`, 'B')),
    ...Array.from({ length: 3 }, (_, i) => makeCandidate(`${'mno'[i % 3]}a`, 'A')),
    ...Array.from({ length: 3 }, (_, i) => makeCandidate(`${'mno'[i % 3]}w`, 'unknown')),
  ];
  return { seed, pool, poolGold: pool.map((c) => c.label), dev };
}

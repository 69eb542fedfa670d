import { createHash } from 'node:crypto';
import type { Candidate } from '@emr-re/tokenize';

/**
 * The stable key of a candidate pair: record id, head and tail spans and types. It names a pool item in
 * `state.json` and `added.jsonl` without copying any record text.
 */
export function candidateKey(candidate: Candidate): string {
  const { head, tail } = candidate;
  return `${candidate.recordId}#${head.start}-${head.end}:${head.type}>${tail.start}-${tail.end}:${tail.type}`;
}

/**
 * Keys for every candidate of a list, unique within it: a repeated key gets `~2`, `~3`, ... in order of
 * appearance, so two identical pool items are still two items (and stay so after a resume).
 */
export function uniqueCandidateKeys(candidates: readonly Candidate[]): string[] {
  const seen = new Map<string, number>();
  return candidates.map((c) => {
    const key = candidateKey(c);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key}~${n}`;
  });
}

/** A short hex digest of a list of strings (order matters), to recognise the same seed set or pool on resume. */
export function fingerprint(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\n');
  return hash.digest('hex').slice(0, 32);
}

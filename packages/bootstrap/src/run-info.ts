import type { Candidate } from '@emr-re/tokenize';
import { fingerprint, uniqueCandidateKeys } from './keys';
import type { BootstrapOptions, ResolvedOptions } from './options';
import { LIBRARY_VERSION, RUN_FORMAT_VERSION, RunInfo } from './run-dir';

/**
 * `run.json` of a run: the options that decide which items move, and fingerprints of the seed, pool, dev and
 * calibration sets, so that a resume with other ones is refused. `poolKeys` are the pool's item keys.
 */
export function runInfo(options: BootstrapOptions, o: ResolvedOptions, poolKeys: readonly string[]): RunInfo {
  const labelled = (cs: Candidate[]): string[] => uniqueCandidateKeys(cs).map((k, i) => `${k}=${cs[i].label}`);
  const { calibration } = options;
  const info: RunInfo = {
    version: RUN_FORMAT_VERSION,
    library: LIBRARY_VERSION,
    options: {
      lambda: o.lambda,
      perIteration: o.perIteration,
      maxIterations: o.maxIterations === Infinity ? null : o.maxIterations,
      includeUnknown: o.includeUnknown,
      warmStart: o.warmStart,
      classQuotas: options.classQuotas ?? null,
      devDropTolerance: o.devDropTolerance ?? null,
      guardMetric: o.guardMetric,
      fitOptions: { epochs: options.fitOptions?.epochs ?? null, seed: options.fitOptions?.seed ?? null },
      calibration:
        calibration === undefined
          ? null
          : { targetPrecision: calibration.targetPrecision, minSupport: calibration.minSupport ?? 5 },
      agreement: options.agreement?.name ?? null,
      // Only when set, so that run directories made before the option still resume.
      ...(o.pseudoLabelWeight === 1 ? {} : { pseudoLabelWeight: o.pseudoLabelWeight }),
    },
    seed: { size: options.seed.length, fingerprint: fingerprint(labelled(options.seed)) },
    pool: { size: options.pool.length, fingerprint: fingerprint(poolKeys) },
  };
  if (options.dev !== undefined)
    info.dev = { size: options.dev.length, fingerprint: fingerprint(labelled(options.dev)) };
  if (options.calibrationSet !== undefined) {
    info.calibration = {
      size: options.calibrationSet.length,
      fingerprint: fingerprint(labelled(options.calibrationSet)),
    };
  }
  return info;
}

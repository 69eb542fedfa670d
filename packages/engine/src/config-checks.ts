import { ConfigError } from './errors';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `overrides` onto `base`: objects merge key by key; arrays and scalars replace; `undefined` is skipped.
 * @example mergeDeep({ rnn: { units: 64, layers: 1 } }, { rnn: { units: 32 } }) // { rnn: { units: 32, layers: 1 } }
 */
export function mergeDeep(base: unknown, overrides: unknown): unknown {
  if (!isJsonObject(base) || !isJsonObject(overrides)) return overrides === undefined ? base : overrides;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    out[k] = isJsonObject(v) && isJsonObject(out[k]) ? mergeDeep(out[k], v) : v;
  }
  return out;
}

/** Configuration JSON text parsed; a syntax error is a `ConfigError` at `(root)` prefixed with `source`. */
export function parseConfigJson(text: string, source?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError('(root)', `not valid JSON (${(err as Error).message})`, source);
  }
}

/**
 * The checks a model configuration's values go through, each throwing a `ConfigError` that names the key (and
 * `source`, a file name, when given).
 * @example const check = new ConfigChecks('config.json'); const units = check.int('rnn.units', v, 1, 4096);
 */
export class ConfigChecks {
  constructor(private readonly source?: string) {}

  /** Throws the `ConfigError` of `key`. */
  fail(key: string, reason: string): never {
    throw new ConfigError(key, reason, this.source);
  }

  /** An integer in [min, max]. */
  int(key: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return this.fail(key, `must be an integer (got ${JSON.stringify(v)})`);
    if (v < min || v > max) return this.fail(key, `must be between ${min} and ${max} (got ${v})`);
    return v;
  }

  /** A finite number in [min, max], or (min, max] when `minExclusive`. */
  num(key: string, v: unknown, min: number, max: number, minExclusive = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v))
      return this.fail(key, `must be a number (got ${JSON.stringify(v)})`);
    if (v > max || v < min || (minExclusive && v === min)) {
      return this.fail(key, `must be in ${minExclusive ? '(' : '['}${min}, ${max}] (got ${v})`);
    }
    return v;
  }

  /** The object at `parent[key]`, holding no keys but `allowed`. */
  section(parent: JsonObject, key: string, allowed: readonly string[]): JsonObject {
    const s = parent[key];
    if (!isJsonObject(s)) return this.fail(key, 'must be an object');
    for (const k of Object.keys(s)) if (!allowed.includes(k)) this.fail(`${key}.${k}`, 'unknown key');
    return s;
  }

  /** A non-empty array of odd convolution windows in [1, 64] ("same" padding centres an odd window). */
  oddWindows(key: string, v: unknown): number[] {
    if (!Array.isArray(v) || v.length === 0) return this.fail(key, 'must be a non-empty array of odd integers');
    return v.map((w, i) => {
      const width = this.int(`${key}[${i}]`, w, 1, 64);
      if (width % 2 === 0) this.fail(`${key}[${i}]`, `must be odd so that "same" padding centres it (got ${w})`);
      return width;
    });
  }

  /** The `cnn` and `rnn` sections every architecture config carries. */
  branches(merged: JsonObject): {
    cnn: { filters: number; windows: number[]; blocks: number };
    rnn: { units: number; layers: number };
  } {
    const cnn = this.section(merged, 'cnn', ['filters', 'windows', 'blocks']);
    const rnn = this.section(merged, 'rnn', ['units', 'layers']);
    const windows = this.oddWindows('cnn.windows', cnn.windows);
    return {
      cnn: {
        filters: this.int('cnn.filters', cnn.filters, 1, 4096),
        windows,
        blocks: this.int('cnn.blocks', cnn.blocks, 0, 64),
      },
      rnn: { units: this.int('rnn.units', rnn.units, 1, 4096), layers: this.int('rnn.layers', rnn.layers, 1, 16) },
    };
  }

  /** The training keys every config carries: dropout, batch size, learning rate, epochs, seed. */
  training(merged: JsonObject): {
    dropout: number;
    batchSize: number;
    learningRate: number;
    epochs: number;
    seed: number;
  } {
    return {
      dropout: this.num('dropout', merged.dropout, 0, 0.95),
      batchSize: this.int('batchSize', merged.batchSize, 1, 65536),
      learningRate: this.num('learningRate', merged.learningRate, 0, 10, true),
      epochs: this.int('epochs', merged.epochs, 0, 100000),
      seed: this.int('seed', merged.seed, 0, 2 ** 31 - 1),
    };
  }

  /** The optional `patience` and `minCount`, set on `config` only when given. */
  optionalStopping(merged: JsonObject, config: { patience?: number; minCount?: number }): void {
    if (merged.patience !== undefined) config.patience = this.int('patience', merged.patience, 1, 100000);
    if (merged.minCount !== undefined) config.minCount = this.int('minCount', merged.minCount, 1, 1e9);
  }
}

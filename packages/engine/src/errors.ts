/**
 * The engine's two kinds of error. `ConfigError` is a user's mistake (a bad value in a layer's or a model's
 * configuration): an `EmrReError`, which the CLI prints as one line with exit code 2. `ShapeError` is a programming
 * mistake (a layer wired to tensors of the wrong rank or width, a missing mask input): a plain `Error`, like
 * tfjs-layers' `ValueError`, so it surfaces as a bug with its stack.
 */
import { EmrReError } from '@emr-re/tokenize';

/** A configuration that is not valid; `key` is the dotted path of the offending key, e.g. `cnn.filters`. */
export class ConfigError extends EmrReError {
  readonly key: string;
  constructor(key: string, reason: string, source?: string) {
    super('CONFIG', `${source ? `${source}: ` : ''}config key "${key}": ${reason}`);
    this.key = key;
  }
}

/**
 * Tensors of the wrong rank, width or number handed to a layer, kernel or initialiser: a bug in the calling code,
 * not a user error (`isUserError` is false for it). `layer` names the layer or kernel that refused them.
 *
 * @example
 * new AttentionPooling().apply(h); // ShapeError: AttentionPooling takes [H (batch, length, dim), mask (batch, length)]
 */
export class ShapeError extends Error {
  readonly layer: string;
  constructor(layer: string, message: string) {
    super(message.startsWith(layer) ? message : `${layer}: ${message}`);
    this.name = 'ShapeError';
    this.layer = layer;
  }
}

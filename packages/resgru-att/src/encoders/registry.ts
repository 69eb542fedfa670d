import { bigruAttEncoder } from './bigru-att';
import { bilstmAttEncoder } from './bilstm-att';
import { cnnEncoder } from './cnn';
import { cnnAttEncoder } from './cnn-att';
import { FEATURE_INPUTS } from './encoder';
import type { EncoderDefinition } from './encoder';
import { pcnnEncoder } from './pcnn';
import { resgruEncoder } from './resgru';
import { resgruAttEncoder } from './resgru-att';
import { resnetEncoder } from './resnet';

/** The encoders of the paper's comparison, in its order; they are registered from the start. */
export const BUILTIN_ENCODERS: readonly EncoderDefinition[] = [
  cnnEncoder,
  cnnAttEncoder,
  pcnnEncoder,
  resnetEncoder,
  bilstmAttEncoder,
  bigruAttEncoder,
  resgruEncoder,
  resgruAttEncoder,
];

const encoders = new Map<string, EncoderDefinition>(BUILTIN_ENCODERS.map((e) => [e.name, e]));

/**
 * Adds an architecture: after this, `config.arch = definition.name` builds, trains, saves and loads like the
 * built-in ones. Its `inputs` must be `FEATURE_INPUTS` in their order and include chars, positions and mask.
 * @throws Error for a name already registered or malformed inputs (a programming mistake).
 */
export function registerEncoder(definition: EncoderDefinition): void {
  if (encoders.has(definition.name)) throw new Error(`encoder '${definition.name}' is already registered`);
  const order = definition.inputs.map((i) => FEATURE_INPUTS.indexOf(i));
  if (
    order.some((k, i) => k < 0 || (i > 0 && k <= order[i - 1])) ||
    order.slice(0, 4).join() !== '0,1,2,3' ||
    definition.inputs.includes('entityTypes')
  )
    throw new Error(`encoder '${definition.name}': inputs must be chars, headPosition, tailPosition, mask[, segments]`);
  encoders.set(definition.name, definition);
}

/** The encoder registered as `name`; undefined when none is. */
export function findEncoder(name: string): EncoderDefinition | undefined {
  return encoders.get(name);
}

/** The registered encoder `name`. @throws Error when none is (configs are validated before this is reached). */
export function encoderFor(name: string): EncoderDefinition {
  const encoder = encoders.get(name);
  if (encoder === undefined) throw new Error(`no encoder registered as '${name}'`);
  return encoder;
}

/** Every registered architecture name: the built-ins in the paper's order, then registered ones. */
export function registeredArchitectures(): string[] {
  return [...encoders.keys()];
}

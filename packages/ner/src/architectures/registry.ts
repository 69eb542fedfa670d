import type { NerArchitecture } from './architecture';
import { bigruCrf } from './bigru-crf';
import { bilstmCrf } from './bilstm-crf';
import { resgruCrf } from './resgru-crf';

/** The shipped architectures, the default first; they are registered from the start. */
export const BUILTIN_NER_ARCHITECTURES: readonly NerArchitecture[] = [bigruCrf, bilstmCrf, resgruCrf];

const architectures = new Map<string, NerArchitecture>(BUILTIN_NER_ARCHITECTURES.map((a) => [a.name, a]));

/**
 * Adds an architecture: after this, `config.arch = definition.name` builds, trains, saves and loads like the
 * built-in ones (a saved model names it, so the process that loads it must register it too).
 * @throws Error for a name already registered (a programming mistake).
 */
export function registerNerArchitecture(definition: NerArchitecture): void {
  if (architectures.has(definition.name)) {
    throw new Error(`NER architecture '${definition.name}' is already registered`);
  }
  architectures.set(definition.name, definition);
}

/** The architecture registered as `name`; undefined when none is. */
export function findNerArchitecture(name: string): NerArchitecture | undefined {
  return architectures.get(name);
}

/** The registered architecture `name`. @throws Error when none is (configs are validated before this is reached). */
export function nerArchitectureFor(name: string): NerArchitecture {
  const found = architectures.get(name);
  if (found === undefined) throw new Error(`no NER architecture registered as '${name}'`);
  return found;
}

/** Every registered architecture name: the built-ins, then registered ones. */
export function registeredNerArchitectures(): string[] {
  return [...architectures.keys()];
}

export { ASSERTION_PRIORITY, detectAssertions, findLexiconMatches } from './detect';
export type { LexiconMatch } from './detect';
export { NEGATED_LABELS, applyAssertions, dropAbsentRelations } from './relations';
export type { ApplyAssertionOptions } from './relations';
export {
  AssertionLexiconError,
  defaultAssertionLexicon,
  loadAssertionLexicon,
  mergeAssertionLexicons,
  parseAssertionLexicon,
} from './lexicon';
export type { AssertionLexicon, AssertionTrigger, TriggerDirection, TriggerScope } from './types';

export { ASSERTION_PRIORITY, detectAssertions, findLexiconMatches } from './detect';
export type { LexiconMatch } from './detect';
export {
  AssertionLexiconError,
  defaultAssertionLexicon,
  loadAssertionLexicon,
  mergeAssertionLexicons,
  parseAssertionLexicon,
} from './lexicon';
export type { AssertionLexicon, AssertionTrigger, TriggerDirection, TriggerScope } from './types';

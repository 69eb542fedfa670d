import type { Assertion } from '@emr-re/tokenize';

/** Which way a trigger's scope runs from it: over the text after it ("否认X") or before it ("X不明显"). */
export type TriggerDirection = 'forward' | 'backward';

/**
 * How far a scope may run: `'clause'` stops at another lexicon phrase and at a clause end (，：) unless a target
 * entity follows it at once (a list going on: "无发热，咳嗽"); `'sentence'` runs over both to the sentence end or
 * list marker ("与X相鉴别，…未见异常，故诊断不成立").
 */
export type TriggerScope = 'clause' | 'sentence';

/** One trigger phrase of an assertion lexicon. */
export interface AssertionTrigger {
  /** The phrase as it stands in the text, e.g. "否认". */
  phrase: string;
  /** The assertion it sets on the entities in its scope (never `present`, the default). */
  value: Exclude<Assertion, 'present'>;
  direction: TriggerDirection;
  /** Default `'clause'`. */
  scope?: TriggerScope;
  /** Only entities of these types take its value (e.g. "过敏" only for a treatment); default every target type. */
  types?: string[];
}

/**
 * A ConText-style trigger lexicon for Chinese EMRs, as data (`lexicon.json` of this folder is the default; a user's
 * file extends it through `loadAssertionLexicon`). Phrases are matched left to right, longest first, never
 * overlapping one another nor an entity of the record.
 */
export interface AssertionLexicon {
  version: 1;
  /**
   * The entity types that get an assertion (default lexicon: the paper schema's disease, symptom, treatment and
   * CMeIE's 疾病, 症状, 药物, 手术治疗, 其他治疗).
   */
  targetTypes: string[];
  triggers: AssertionTrigger[];
  /** Phrases that hold a trigger but are none ("无明显诱因", "未见异常"): they set nothing and end every scope. */
  pseudoTriggers: string[];
  /** Words that end every scope without setting anything (conjunctions such as "但", "伴有"). */
  terminators: string[];
  /** Characters that end every scope ("。", "；", line breaks). Numbered list markers ("2." "3、") end one too. */
  sentenceEnds: string[];
  /** Characters that end a `'clause'` scope unless a target entity follows ("，", "："). */
  clauseEnds: string[];
}

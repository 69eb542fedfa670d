/**
 * Linear-chain CRF for sequence tagging (character-level NER): the log-likelihood by the forward algorithm in log
 * space (`crfLogLikelihood`, `crfNegativeLogLikelihood`), Viterbi decoding in plain JS (`crfViterbi`), transition
 * constraints (`CrfConstraints`) and the trainable `LinearChainCrf`.
 */
export { CRF_FORBIDDEN_PENALTY, constraintPenalties } from './constraints';
export type { CrfConstraints, CrfPenalties } from './constraints';
export type { CrfParameterArrays, CrfParameters } from './parameters';
export { crfLogLikelihood, crfNegativeLogLikelihood } from './log-likelihood';
export { crfViterbi } from './viterbi';
export type { CrfDecoding } from './viterbi';
export { LinearChainCrf } from './linear-chain-crf';
export type { LinearChainCrfOptions } from './linear-chain-crf';

/** @emr-re/tokenize: records, readers, schemas, sentences, candidates and features. */
export * from './types';
export * from './errors';

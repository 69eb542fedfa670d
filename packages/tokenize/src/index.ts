/** @emr-re/tokenize: records, readers, schemas, sentences, candidates and features. */
export * from './types';
export * from './errors';
export * from './stats';
export * from './schema';
export * from './records';
export * from './cmeie';
export * from './ccks2017';
export * from './brat';
export * from './corpus';
export * from './write';
export * from './sentences';
export * from './candidates';
export * from './vocabulary';
export * from './features';
export * from './offsets';

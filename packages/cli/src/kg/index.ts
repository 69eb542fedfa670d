export * from './graph';
export * from './serialise';

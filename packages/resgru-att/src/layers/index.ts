/**
 * tfjs-layers `Layer`s of the relation models, each registered for serialization (a model saves and loads in the
 * standard tfjs format) and trainable on the wasm, cpu and tensorflow backends.
 */
export * from './conv';
export * from './pooling';
export * from './recurrent';

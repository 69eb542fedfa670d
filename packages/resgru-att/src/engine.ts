/**
 * Makes sure the engine is ready before a network is built or loaded (the engine's `ensureBackend`):
 * `createRelationModel`, `loadRelationModel`, `RelationModel.load`, `train` and `loadModel` call it, so their users
 * need no setup call.
 */
export { ensureBackend } from '@emr-re/engine';

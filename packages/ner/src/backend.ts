/**
 * Makes sure the engine is ready before a tagger is built or loaded (the engine's `ensureBackend`): `trainNer`,
 * `createNerModel` and `loadNer` call it, so their users need no setup call.
 */
export { ensureBackend as ensureNerBackend } from '@emr-re/engine';

/**
 * The errors of the NER package. Each is a user's mistake or a condition the user can act on (an `EmrReError`, which
 * the CLI prints as one line with exit code 2); programming mistakes (tags of the wrong length, tensors of the wrong
 * shape) are plain `RangeError`s or the engine's `ShapeError`.
 */
import { EmrReError } from '@emr-re/tokenize';

/** A NER model directory that is missing, damaged, from another format version, or altered after saving. */
export class NerModelFormatError extends EmrReError {
  /** The file at fault. */
  readonly file: string;
  constructor(file: string, reason: string) {
    super('NER_MODEL_FORMAT', `${file}: ${reason}`);
    this.file = file;
  }
}

/** A NER training checkpoint that cannot be used: damaged, or made for a different run. */
export class NerCheckpointError extends EmrReError {
  constructor(dir: string, reason: string) {
    super('CHECKPOINT', `${dir}: ${reason}`);
  }
}

/** NER training was cancelled through its AbortSignal. */
export class NerTrainingCancelledError extends EmrReError {
  constructor(epoch: number, step: number) {
    super('CANCELLED', `NER training cancelled in epoch ${epoch} at step ${step}`);
  }
}

/** The loss became NaN or infinite: the configuration (usually `learningRate`) does not train. */
export class NerTrainingDivergedError extends EmrReError {
  constructor(epoch: number, step: number) {
    super(
      'DIVERGED',
      `NER training diverged (loss is not finite) in epoch ${epoch} at step ${step}; lower "learningRate"`,
    );
  }
}

/** Training data a tagger cannot learn from: no entity types, or no records. */
export class NerDataError extends EmrReError {
  constructor(reason: string) {
    super('NER_DATA', reason);
  }
}

import type { Candidate, FitOptions, FitReport, RelationClassifier } from '@emr-re/tokenize';
import { BootstrapOptionError } from './errors';

/** A second classifier that must agree with the first before an item moves (`BootstrapOptions.agreement`). */
export interface AgreementPartner {
  /** Names the partner in `run.json` (e.g. its architecture), so that a resume with another one is refused. */
  name: string;
  /** Makes a new, untrained partner; called once per training (and to load a saved one on resume). */
  createClassifier: () => Promise<RelationClassifier>;
}

/** Checks `BootstrapOptions.agreement`: a non-empty name and a factory. */
export function validateAgreement(agreement: AgreementPartner | undefined): void {
  if (agreement === undefined) return;
  if (typeof agreement.name !== 'string' || agreement.name === '')
    throw new BootstrapOptionError('agreement.name', 'must name the partner classifier');
  if (typeof agreement.createClassifier !== 'function')
    throw new BootstrapOptionError('agreement.createClassifier', 'must be a function returning a classifier');
}

/** One value for the run's classifier and, with agreement, one for its partner. */
export interface Paired<T> {
  classifier: T;
  partner?: T;
}

/** The classifier a run trains and, with agreement, its partner, always trained on the same L. */
export type ClassifierPair = Paired<RelationClassifier>;

/** How a pair is made: the run's classifier factory and, with agreement, the partner's. */
export interface PairFactories {
  createClassifier: () => Promise<RelationClassifier>;
  agreement?: AgreementPartner;
}

/** A newly trained pair and the first classifier's fit report (the iteration record's `fit`). */
export interface TrainedPair {
  pair: ClassifierPair;
  report: FitReport;
}

/** What training a pair needs besides the factories. */
export interface PairTraining {
  /** Passed to both fits. */
  fitOptions: FitOptions;
  /** Called after each fit (and, in an iteration, before the first); throws to abort. */
  checkAbort: () => void;
}

/**
 * Iteration 0: makes and trains the classifier on the seed set, then (with agreement) the partner, each on its own
 * `labelled()` copy of L. Whatever it made is disposed if it fails.
 */
export async function trainSeedPair(
  factories: PairFactories,
  labelled: () => Candidate[],
  training: PairTraining,
): Promise<TrainedPair> {
  const made: Partial<ClassifierPair> = {};
  return disposingOnFailure(made, async () => {
    const classifier = (made.classifier = await factories.createClassifier());
    const report = await classifier.fit(labelled(), training.fitOptions);
    training.checkAbort();
    if (factories.agreement !== undefined) {
      const partner = (made.partner = await factories.agreement.createClassifier());
      await partner.fit(labelled(), training.fitOptions);
      training.checkAbort();
    }
    return { pair: { ...made, classifier }, report };
  });
}

/**
 * Iteration K ≥ 1: makes both classifiers, lets `warmStart` load them with the accepted pair's weights, then
 * trains the classifier and the partner on the same `train`. Whatever it made is disposed if it fails.
 */
export async function trainIterationPair(
  factories: PairFactories,
  train: Candidate[],
  training: PairTraining & { warmStart?: (pair: ClassifierPair) => Promise<void> },
): Promise<TrainedPair> {
  const made: Partial<ClassifierPair> = {};
  return disposingOnFailure(made, async () => {
    made.classifier = await factories.createClassifier();
    if (factories.agreement !== undefined) made.partner = await factories.agreement.createClassifier();
    const pair: ClassifierPair = { ...made, classifier: made.classifier };
    if (training.warmStart !== undefined) await training.warmStart(pair);
    training.checkAbort();
    const report = await pair.classifier.fit(train, training.fitOptions);
    training.checkAbort();
    if (pair.partner !== undefined) {
      await pair.partner.fit(train, training.fitOptions);
      training.checkAbort();
    }
    return { pair, report };
  });
}

/** Makes a pair and loads it from saved copies (`dirs.partner` only with agreement). Disposed if it fails. */
export async function loadPair(
  factories: PairFactories,
  dirs: Paired<string> & { partner: string },
): Promise<ClassifierPair> {
  const made: Partial<ClassifierPair> = {};
  return disposingOnFailure(made, async () => {
    const classifier = (made.classifier = await factories.createClassifier());
    await classifier.load(dirs.classifier);
    if (factories.agreement !== undefined) {
      const partner = (made.partner = await factories.agreement.createClassifier());
      await partner.load(dirs.partner);
    }
    return { ...made, classifier };
  });
}

/** Asks the classifier, then the partner if there is one, the same question. */
export async function mapPair<T>(
  pair: ClassifierPair,
  ask: (classifier: RelationClassifier) => Promise<T>,
): Promise<Paired<T>> {
  const answers: Paired<T> = { classifier: await ask(pair.classifier) };
  if (pair.partner !== undefined) answers.partner = await ask(pair.partner);
  return answers;
}

/** Disposes both classifiers of a pair (nothing when there is none). */
export function disposePair(pair: Partial<ClassifierPair> | undefined): void {
  pair?.classifier?.dispose();
  pair?.partner?.dispose();
}

async function disposingOnFailure<T>(made: Partial<ClassifierPair>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    disposePair(made);
    throw err;
  }
}

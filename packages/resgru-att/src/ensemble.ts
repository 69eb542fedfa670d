import { UsageError } from '@emr-re/tokenize';
import type { Candidate, Schema } from '@emr-re/tokenize';
import type { ModelConfig } from './config';
import { loadRelationModel, topPredictions, type Prediction, type RelationModel } from './model';

/**
 * Several trained relation models used as one: each candidate's probability row is the mean of the members' rows
 * (seed averaging; members may also differ in architecture). Costs one forward pass per member: predicting with
 * k members takes about k times as long as with one, and training them k times as long.
 */
export class RelationEnsemble {
  /** Output labels (the members', which must agree); `predictProba` rows follow this order. */
  readonly labels: readonly string[];

  /** @throws UsageError when there are no members or they disagree on labels or schema. */
  constructor(readonly members: readonly RelationModel[]) {
    if (members.length === 0) throw new UsageError('an ensemble needs at least one relation model');
    this.labels = members[0].labels;
    const schema = JSON.stringify(members[0].schema);
    members.forEach((m, i) => {
      if (m.labels.join('\u0000') !== this.labels.join('\u0000'))
        throw new UsageError(
          `ensemble member ${i + 1} has other labels than member 1 (${m.labels.length} vs ${this.labels.length})`,
        );
      if (JSON.stringify(m.schema) !== schema)
        throw new UsageError(`ensemble member ${i + 1} was trained under another schema than member 1`);
      if ((m.config.crossSentence ?? false) !== (members[0].config.crossSentence ?? false))
        throw new UsageError(
          `ensemble member ${i + 1} pairs entities across sentences and member 1 does not, or the reverse`,
        );
    });
  }

  /** The schema candidates are generated under (every member's). */
  get schema(): Schema {
    return this.members[0].schema;
  }

  /** The first member's configuration (the members agree on the schema and on `crossSentence`). */
  get config(): ModelConfig {
    return this.members[0].config;
  }

  /** Per candidate, the mean of the members' probability rows (each restricted to the allowed labels). */
  async predictProba(batch: Candidate[]): Promise<Float32Array[]> {
    const sums = batch.map(() => new Float32Array(this.labels.length));
    for (const member of this.members) {
      const rows = await member.predictProba(batch);
      rows.forEach((row, i) => row.forEach((p, j) => (sums[i][j] += p)));
    }
    const k = this.members.length;
    for (const row of sums) for (let j = 0; j < row.length; j++) row[j] /= k;
    return sums;
  }

  /** The most probable label of each candidate under the averaged rows, with its probability. */
  async predict(candidates: Candidate[]): Promise<Prediction[]> {
    return topPredictions(candidates, await this.predictProba(candidates), this.labels);
  }

  /** Frees every member's tensors. */
  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/**
 * Loads the model directories `dirs` (e.g. the same configuration trained with several seeds) as one ensemble.
 * @throws UsageError when a directory is not a model, or the models disagree on labels or schema.
 */
export async function loadRelationEnsemble(dirs: readonly string[]): Promise<RelationEnsemble> {
  const members: RelationModel[] = [];
  try {
    for (const dir of dirs) members.push(await loadRelationModel(dir));
    return new RelationEnsemble(members);
  } catch (err) {
    for (const m of members) m.dispose();
    throw err;
  }
}

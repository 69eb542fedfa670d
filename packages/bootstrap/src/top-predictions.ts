/** The most probable label of one prediction row. */
export interface TopPrediction {
  label: string;
  probability: number;
}

/** The top label and its probability for each probability row; ties go to the earlier label. */
export function topPredictions(labels: readonly string[], rows: readonly Float32Array[]): TopPrediction[] {
  return rows.map((row, r) => {
    if (row.length !== labels.length) {
      throw new RangeError(`probability row ${r} has ${row.length} values for ${labels.length} labels`);
    }
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return { label: labels[best], probability: row[best] };
  });
}

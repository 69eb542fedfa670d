import type { EmbeddingSource } from '@emr-re/tokenize';

/**
 * Token vectors held as one row-major matrix `(size, dim)` plus the token of each row.
 * Row order is meaningful (trained tables: descending corpus frequency; loaded tables: file order).
 */
export class EmbeddingTable implements EmbeddingSource {
  /** Vector dimension. */
  readonly dim: number;
  /** The token of each row. */
  readonly tokens: readonly string[];
  /** All vectors, row-major `(size, dim)`. */
  readonly vectors: Float32Array;
  private readonly rowOf: Map<string, number>;

  /** Throws RangeError when `vectors` is not `tokens.length * dim` long or a token repeats. */
  constructor(tokens: readonly string[], vectors: Float32Array, dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (vectors.length !== tokens.length * dim) {
      throw new RangeError(`vectors hold ${vectors.length} values, expected ${tokens.length} tokens x ${dim}`);
    }
    this.dim = dim;
    this.tokens = tokens;
    this.vectors = vectors;
    this.rowOf = new Map();
    for (let i = 0; i < tokens.length; i++) {
      if (this.rowOf.has(tokens[i])) throw new RangeError(`token at row ${i} repeats row ${this.rowOf.get(tokens[i])}`);
      this.rowOf.set(tokens[i], i);
    }
  }

  /** Builds a table from (token, vector) pairs; every vector must have the same length. */
  static fromEntries(entries: Iterable<readonly [string, ArrayLike<number>]>): EmbeddingTable {
    const tokens: string[] = [];
    const rows: ArrayLike<number>[] = [];
    for (const [token, vector] of entries) {
      tokens.push(token);
      rows.push(vector);
    }
    if (rows.length === 0) throw new RangeError('fromEntries needs at least one entry to know the dimension');
    const dim = rows[0].length;
    const vectors = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => {
      if (row.length !== dim) throw new RangeError(`entry ${i} has ${row.length} values, entry 0 has ${dim}`);
      vectors.set(row, i * dim);
    });
    return new EmbeddingTable(tokens, vectors, dim);
  }

  /** Number of tokens held. */
  get size(): number {
    return this.tokens.length;
  }

  /** True when the table holds `token`. */
  has(token: string): boolean {
    return this.rowOf.has(token);
  }

  /** The row of `token`, or -1. */
  indexOf(token: string): number {
    return this.rowOf.get(token) ?? -1;
  }

  /** The vector of row `i`: a view into `vectors` (copy it before changing it). */
  row(i: number): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.tokens.length)
      throw new RangeError(`row ${i} out of range 0..${this.tokens.length - 1}`);
    return this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** The token's vector (a view into `vectors`), or undefined when absent. */
  lookup(token: string): Float32Array | undefined {
    const i = this.rowOf.get(token);
    return i === undefined ? undefined : this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** Every (token, vector) pair in row order; vectors are views. */
  *entries(): IterableIterator<[string, Float32Array]> {
    for (let i = 0; i < this.tokens.length; i++)
      yield [this.tokens[i], this.vectors.subarray(i * this.dim, (i + 1) * this.dim)];
  }
}

/** A token and its cosine similarity to a query. */
export interface Neighbour {
  token: string;
  similarity: number;
}

/** Cosine similarity of two equally long vectors; 0 when either is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * The `k` tokens whose vectors are nearest to `query` by cosine similarity, most similar first.
 * A string query is looked up in the table and excluded from the answer; an absent token gives [].
 */
export function nearestNeighbours(table: EmbeddingTable, query: string | ArrayLike<number>, k = 10): Neighbour[] {
  let target: ArrayLike<number>;
  let exclude = -1;
  if (typeof query === 'string') {
    exclude = table.indexOf(query);
    if (exclude < 0) return [];
    target = table.row(exclude);
  } else {
    if (query.length !== table.dim)
      throw new RangeError(`query has ${query.length} values, the table's dim is ${table.dim}`);
    target = query;
  }
  const { vectors, dim } = table;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += target[j] * target[j];
  qn = Math.sqrt(qn);
  const scored: Neighbour[] = [];
  for (let i = 0; i < table.size; i++) {
    if (i === exclude) continue;
    let dot = 0;
    let n = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      dot += vectors[o + j] * target[j];
      n += vectors[o + j] * vectors[o + j];
    }
    scored.push({ token: table.tokens[i], similarity: n === 0 || qn === 0 ? 0 : dot / (Math.sqrt(n) * qn) });
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  return scored.slice(0, Math.max(0, k));
}

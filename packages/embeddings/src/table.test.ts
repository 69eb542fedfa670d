import { EmbeddingTable, cosineSimilarity, nearestNeighbours } from './table';

describe('EmbeddingTable', () => {
  const table = EmbeddingTable.fromEntries([
    ['腹', [1, 0, 0]],
    ['胸', [0.9, 0.1, 0]],
    ['肝', [0, 1, 0]],
    ['脾', [0, -1, 0]],
  ]);

  it('implements EmbeddingSource over one row-major matrix', () => {
    expect(table.dim).toBe(3);
    expect(table.size).toBe(4);
    expect(table.has('肝')).toBe(true);
    expect(table.has('肺')).toBe(false);
    expect(Array.from(table.lookup('胸')!)).toEqual([Math.fround(0.9), Math.fround(0.1), 0]);
    expect(table.lookup('肺')).toBeUndefined();
    expect(table.indexOf('脾')).toBe(3);
    expect([...table.entries()].map(([t]) => t)).toEqual(['腹', '胸', '肝', '脾']);
    expect(table.vectors.length).toBe(12);
    // lookup is a view into the matrix
    expect(table.lookup('肝')!.buffer).toBe(table.vectors.buffer);
  });

  it('rejects mismatched shapes and repeated tokens', () => {
    expect(() => new EmbeddingTable(['a', 'b'], new Float32Array(5), 3)).toThrow(RangeError);
    expect(() => new EmbeddingTable(['a', 'a'], new Float32Array(6), 3)).toThrow(/repeats/);
    expect(() =>
      EmbeddingTable.fromEntries([
        ['a', [1, 2]],
        ['b', [1]],
      ]),
    ).toThrow(/entry 1/);
  });

  it('ranks neighbours by cosine similarity, excluding the query', () => {
    // cos(腹, 胸) = 0.9 / sqrt(0.82) = 0.99388; cos(腹, 肝) = cos(腹, 脾) = 0
    const n = nearestNeighbours(table, '腹', 2);
    expect(n[0].token).toBe('胸');
    expect(n[0].similarity).toBeCloseTo(0.9 / Math.sqrt(0.82), 5);
    expect(n[1].similarity).toBeCloseTo(0, 6);
    expect(nearestNeighbours(table, '肝', 4).map((x) => x.token)).toEqual(['胸', '腹', '脾']);
    expect(nearestNeighbours(table, '肝', 4)[2].similarity).toBeCloseTo(-1, 6);
    expect(nearestNeighbours(table, '肺', 3)).toEqual([]);
    expect(nearestNeighbours(table, [0, 2, 0], 1)).toEqual([{ token: '肝', similarity: 1 }]);
  });

  it('computes cosine similarity by hand-checked values', () => {
    expect(cosineSimilarity([1, 2, 2], [2, 0, 1])).toBeCloseTo(4 / (3 * Math.sqrt(5)), 10);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
  });
});

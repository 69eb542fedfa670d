import { nerTypes } from './types';

const record = (...types: string[]) => ({
  entities: types.map((type, i) => ({ id: `e${i}`, type, start: i, end: i + 1, text: 'x' })),
});

describe('nerTypes', () => {
  it('takes the types of the data in code-unit order', () => {
    expect(nerTypes([record('症状', '疾病'), record('B', '症状')])).toEqual(['B', '疾病', '症状']);
    expect(nerTypes([])).toEqual([]);
  });

  it("puts a schema's entity types first, in schema order, then the rest of the data's", () => {
    expect(nerTypes([record('X', '症状')], { entityTypes: ['症状', '疾病'] })).toEqual(['症状', '疾病', 'X']);
  });
});

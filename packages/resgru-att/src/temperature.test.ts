import { SeededRandom } from '@emr-re/tokenize';
import { applyTemperature, fitTemperature } from './temperature';

function softmax(z: number[], t = 1): Float32Array {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp((x - m) / t));
  const s = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (x) => x / s);
}

describe('temperature scaling', () => {
  it('applyTemperature equals softmax(z / T) of the logits, keeps zeros and the argmax', () => {
    const z = [2, -1, 0.5];
    const row = softmax(z);
    const got = applyTemperature(row, 2);
    const want = softmax(z, 2);
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(want[i], 6);
    const restricted = applyTemperature(Float32Array.from([0.7, 0, 0.3]), 0.5);
    expect(restricted[1]).toBe(0);
    expect(restricted[0]).toBeCloseTo(0.49 / 0.58, 6);
    expect(() => applyTemperature(row, 0)).toThrow(RangeError);
  });

  it('recovers the temperature that generated the labels of an over-confident model', () => {
    const rng = new SeededRandom(7);
    const rows: Float32Array[] = [];
    const gold: number[] = [];
    for (let n = 0; n < 20000; n++) {
      const z = [0, 0, 0, 0].map(() => (rng.next() - 0.5) * 8);
      rows.push(softmax(z)); // what the model says
      const truth = softmax(z, 2.5); // how the labels really fall
      let u = rng.next();
      let k = 0;
      while (k < 3 && u >= truth[k]) u -= truth[k++];
      gold.push(k);
    }
    expect(fitTemperature(rows, gold)).toBeGreaterThan(2.3);
    expect(fitTemperature(rows, gold)).toBeLessThan(2.7);
  });

  it('sharpens an under-confident model (T < 1) and refuses bad input', () => {
    const rows = [Float32Array.from([0.6, 0.4]), Float32Array.from([0.4, 0.6])];
    expect(fitTemperature(rows, [0, 1])).toBeLessThan(0.2);
    expect(() => fitTemperature(rows, [0])).toThrow(RangeError);
    expect(() => fitTemperature(rows, [0, 2])).toThrow('gold[1] = 2');
  });
});

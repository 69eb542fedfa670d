import type { ProgressEvent } from '@emr-re/tokenize';
import { type CliIO, progressRenderer } from './io';

function fakeIO(isTTY: boolean, columns?: number): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (t) => void err.push(t), isTTY, columns, cwd: '/', env: {} };
}

/** A clock the test moves by hand, in milliseconds. */
function fakeClock(): { now: () => number; at: (seconds: number) => void } {
  let ms = 0;
  return { now: () => ms, at: (seconds) => void (ms = seconds * 1000) };
}

/** Feeds `[seconds, event]` pairs at their times. */
function feed(
  render: (e: ProgressEvent) => void,
  clock: ReturnType<typeof fakeClock>,
  events: [number, ProgressEvent][],
) {
  for (const [seconds, e] of events) {
    clock.at(seconds);
    render(e);
  }
}

const train = (done: number, values?: Record<string, number>): ProgressEvent => ({
  phase: 'train',
  done,
  total: 100,
  values,
});

describe('progressRenderer without a terminal', () => {
  it('prints one line per phase and interval with rate and ETA, and the final line', () => {
    const io = fakeIO(false);
    const clock = fakeClock();
    const render = progressRenderer(io, false, { now: clock.now });
    feed(render, clock, [
      [0, train(0)],
      [0.5, train(5)],
      [1, train(10, { loss: 0.5 })],
      [1.5, train(15)],
      [2.5, train(25)],
      [2.9, train(100)],
    ]);
    expect(io.err.join('')).toBe(
      [
        'train 0/100 (0%)',
        'train 10/100 (10%) 10.0/s ETA 9s loss 0.5000',
        'train 25/100 (25%) 10.0/s ETA 8s',
        'train 100/100 (100%) 34.5/s in 3s',
        '',
      ].join('\n'),
    );
    expect(io.err.every((line) => line.endsWith('\n') && !line.includes('\x1b'))).toBe(true);
  });

  it('takes the interval as an option (10 s for long runs) and throttles each phase on its own', () => {
    const io = fakeIO(false);
    const clock = fakeClock();
    const render = progressRenderer(io, false, { now: clock.now, intervalSeconds: 10 });
    for (let s = 0; s <= 25; s++) {
      clock.at(s);
      render(train(s * 2));
      if (s % 5 === 0) render({ phase: 'predict', done: s, message: 'batch' });
    }
    const lines = io.err.join('').trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('train')).map((l) => l.split(' ')[1])).toEqual([
      '0/100',
      '20/100',
      '40/100',
    ]);
    // no total: a count and a rate, no ETA
    expect(lines.filter((l) => l.startsWith('predict'))).toEqual([
      'predict 0 batch',
      'predict 10 1.00/s batch',
      'predict 20 1.00/s batch',
    ]);
  });

  it('starts a new run of a phase when done goes back, and formats long ETAs', () => {
    const io = fakeIO(false);
    const clock = fakeClock();
    const render = progressRenderer(io, false, { now: clock.now });
    feed(render, clock, [
      [0, { phase: 'epoch', done: 1, total: 2 }],
      [100, { phase: 'epoch', done: 2, total: 2 }],
      [200, { phase: 'epoch', done: 1, total: 300 }],
      [300, { phase: 'epoch', done: 2, total: 300 }],
    ]);
    expect(io.err.join('')).toBe(
      [
        'epoch 1/2 (50%)',
        'epoch 2/2 (100%) 0.01/s in 1m40s',
        'epoch 1/300 (0%)',
        'epoch 2/300 (0%) 0.01/s ETA 8h16m',
        '',
      ].join('\n'),
    );
  });

  it('rejects a negative interval', () => {
    expect(() => progressRenderer(fakeIO(false), false, { intervalSeconds: -1 })).toThrow(/intervalSeconds/);
  });
});

describe('progressRenderer', () => {
  it('prints nothing when quiet', () => {
    for (const isTTY of [false, true]) {
      const io = fakeIO(isTTY);
      const render = progressRenderer(io, true);
      render(train(0));
      render(train(100));
      expect(io.err).toEqual([]);
    }
  });

  it('draws a bar with rate and ETA on a terminal, and ends the line at the final event', () => {
    const io = fakeIO(true, 120);
    const clock = fakeClock();
    const render = progressRenderer(io, false, { now: clock.now });
    feed(render, clock, [
      [0, train(0)],
      [0.05, train(1)], // within the redraw interval: not drawn
      [1, train(50, { loss: 0.25 })],
    ]);
    const partial = io.err.join('');
    expect(partial).not.toContain('\n');
    expect(partial).toContain('train [------------------------] 0% 0/100');
    expect(partial).toContain('train [############------------] 50% 50/100 50.0/s ETA 1s loss 0.2500');
    expect(partial).not.toContain('1/100');
    feed(render, clock, [[2, train(100)]]);
    const out = io.err.join('');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
    const finalLine = out.slice(partial.length);
    // drawn from the start of the line, the rest of the line cleared
    expect(finalLine).toBe(`\x1b[1Gtrain [${'#'.repeat(24)}] 100% 100/100 50.0/s in 2s\x1b[0K\n`);
  });

  it('cuts the bar line to the terminal width and draws a count when there is no total', () => {
    const io = fakeIO(true, 30);
    const clock = fakeClock();
    const render = progressRenderer(io, false, { now: clock.now });
    feed(render, clock, [
      [0, train(10, { examplesPerSecond: 1234.5 })],
      [1, { phase: 'bootstrap', done: 3, message: 'iteration 3' }],
    ]);
    const texts = io.err.filter((t) => !t.startsWith('\x1b'));
    expect(texts).toEqual(['train [##' + '-'.repeat(21), 'bootstrap 3 iteration 3']);
  });
});

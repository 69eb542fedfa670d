import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeReport } from './write';
import { fullReport } from './__tests__/fixture';

/**
 * Renders report.html in a real browser. CI installs Chromium (`apt-get install chromium`); where it is absent
 * the suite is skipped and its title says why.
 */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const suite = available ? describe : describe.skip;
const title = available
  ? 'report.html in headless Chromium'
  : `report.html in headless Chromium — SKIPPED: ${CHROMIUM} not found (apt-get install chromium)`;

const run = promisify(execFile);

// Skipped suites are easy to miss in a summary; say it where it shows in every reporter. CI installs Chromium, so
// there a missing browser is a failure, not a skip.
if (!available && process.env.CI === 'true') {
  it('finds Chromium (CI must install it: apt-get install chromium)', () => {
    throw new Error(`${CHROMIUM} not found under CI=true: .ci/run must install chromium`);
  });
} else if (!available) {
  console.warn(`Skipping the Chromium rendering test: ${CHROMIUM} not found (apt-get install chromium).`);
}

suite(title, () => {
  let dir: string;
  let page: string;
  const flags = (profile: string): string[] => [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--window-size=1200,3000',
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emr-re-chromium-'));
    const files = await writeReport(join(dir, 'out'), fullReport());
    page = pathToFileURL(files.html).href;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Start tags of `tag` with class `cls` inside the rendered `<svg data-chart=name>`. */
  function countInChart(dom: string, name: string, tag: string, cls: string): number {
    const svg = new RegExp(`<svg [^>]*data-chart="${name}"[^>]*>[\\s\\S]*?</svg>`).exec(dom);
    if (!svg) throw new Error(`chart ${name} is not in the rendered DOM`);
    return (svg[0].match(new RegExp(`<${tag} class="${cls}"`, 'g')) ?? []).length;
  }

  test('the rendered DOM holds every chart with all its marks', async () => {
    const { stdout } = await run(CHROMIUM, [...flags(join(dir, 'profile-dom')), '--dump-dom', page], {
      timeout: 90_000,
      maxBuffer: 16 << 20,
    });
    expect(stdout).toContain('<h1>emr-re run report</h1>');
    // Parsed as inline SVG inside its figure, not dropped or re-parented by the HTML parser.
    expect(stdout.match(/<figure class="chart"><svg [^>]*data-chart="/g)).toHaveLength(6);
    expect(countInChart(stdout, 'depth', 'circle', 'point')).toBe(5);
    expect(countInChart(stdout, 'per-class-pr', 'rect', 'bar')).toBe(4);
    expect(countInChart(stdout, 'loss', 'circle', 'point')).toBe(7);
    expect(countInChart(stdout, 'confusion', 'rect', 'cell')).toBe(9);
    expect(countInChart(stdout, 'confusion', 'text', 'count')).toBe(9);
    expect(countInChart(stdout, 'bootstrap', 'circle', 'point')).toBe(3);
    // The diagonal (2 points), the one non-empty bin before calibration and the two after.
    expect(countInChart(stdout, 'reliability', 'circle', 'point')).toBe(5);
    expect(stdout).toContain('<td>痛</td>');
  });

  test('the screenshot is a 1200 × 3000 PNG with content', async () => {
    const png = join(dir, 'report.png');
    await run(CHROMIUM, [...flags(join(dir, 'profile-shot')), `--screenshot=${png}`, page], { timeout: 90_000 });
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height as big-endian 32-bit integers at bytes 16 and 20.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1200, 3000]);
    // A blank page of that size compresses to a few kB; tables and six charts take far more.
    expect((await stat(png)).size).toBeGreaterThan(40_000);
  });
});

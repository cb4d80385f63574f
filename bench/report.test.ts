import { describe, expect, it } from 'vitest';
import { markdownTable, README_END, README_START, rewriteReadme, textTable, verdict, type BenchReport, type RowResult } from './report.js';

const http: RowResult = {
  id: 'aws-http-get',
  what: 'AWS HTTP overhead, GET',
  unit: 'µs',
  better: 'lower',
  subject: 'faasport toLambda',
  peer: 'hono handle()',
  goal: { ratio: 0.33, text: "≤ 0.33 of hono's overhead" },
  note: 'building the Response through undici',
  values: { 'faasport toLambda': [20, 30, 25], 'hono handle()': [40, 50, 50], 'raw handler': [1, 1, 1] },
  ratios: [0.5, 0.6, 0.5],
};
const bundle: RowResult = {
  id: 'aws-bundle-size',
  what: 'AWS hello bundle, minified',
  unit: 'KB',
  better: 'lower',
  subject: 'faasport',
  peer: 'hono',
  goal: { ratio: 0.8, absolute: 20, text: '≤ 20 KB' },
  values: { faasport: [18, 18, 18], hono: [25, 25, 25] },
  ratios: [0.72, 0.72, 0.72],
};
const dev: RowResult = {
  id: 'dev-hello-rps',
  what: 'faasport dev req/s',
  unit: 'req/s',
  better: 'higher',
  subject: 'faasport dev',
  peer: 'functions-framework',
  goal: { ratio: 2, text: '≥ 2.0x' },
  values: { 'faasport dev': [3000, 3500, 4000], 'functions-framework': [2000, 2000, 2000] },
  ratios: [1.5, 1.75, 2],
};
const report: BenchReport = {
  date: '2026-12-04T10:00:00.000Z',
  node: 'v20.20.2',
  machine: { cpu: 'AMD EPYC', cores: 2, os: 'linux 6.1', load: [3.04, 5.5] },
  rounds: 3,
  seconds: 123.4,
  rows: [http, bundle, dev],
};

describe('bench report', () => {
  it('decides each goal on the median ratio, or on the absolute figure when the row has one', () => {
    expect(verdict(http)).toEqual({ met: false, medianRatio: 0.5, text: 'missed: 0.50 vs ≤ 0.33 (1.5x over)' });
    expect(verdict(bundle)).toMatchObject({ met: true, text: 'met' });
    expect(verdict({ ...bundle, values: { faasport: [40, 40, 40], hono: [25, 25, 25] } }).text).toBe('missed: 40.0 KB vs ≤ 20.0 KB (2.0x over)');
    expect(verdict(dev)).toEqual({ met: false, medianRatio: 1.75, text: 'missed: 1.75 vs ≥ 2 (1.1x under)' });
    expect(verdict({ ...http, ratios: [0.334, 0.334, 0.4] }).text).toBe('missed: 0.334 vs ≤ 0.33 (1.01x over)');
  });

  it('prints ranges per subject and the verdict per row', () => {
    expect(markdownTable(report).split('\n')).toEqual([
      '| what | faasport | peer | median ratio | goal | result |',
      '|---|---|---|---|---|---|',
      "| AWS HTTP overhead, GET | faasport toLambda: 20.0–30.0 µs | hono handle(): 40.0–50.0 µs | 0.50 | ≤ 0.33 of hono's overhead | missed: 0.50 vs ≤ 0.33 (1.5x over) |",
      '| AWS hello bundle, minified | faasport: 18.0 KB | hono: 25.0 KB | 0.72 | ≤ 20 KB | **met** |',
      '| faasport dev req/s | faasport dev: 3000–4000 req/s | functions-framework: 2000 req/s | 1.75 | ≥ 2.0x | missed: 1.75 vs ≥ 2 (1.1x under) |',
    ]);
    expect(textTable(report).split('\n')[2]).toMatch(/^aws-http-get\s+20\.0–30\.0 µs\s+40\.0–50\.0 µs\s+0\.50/);
  });

  it('rewrites only the text between the README markers, with the date, Node, machine and the notes of missed goals', () => {
    const readme = `# x\n\n## Speed\n\nProse stays.\n\n${README_START}\nold figures\n${README_END}\n\n## Next\n`;
    const out = rewriteReadme(readme, [report]);
    expect(
      out.startsWith(
        `# x\n\n## Speed\n\nProse stays.\n\n${README_START}\n**Node 20.20.2**, 2026-12-04, AMD EPYC (2 cores, linux 6.1, load average 3.0 → 5.5), 3 rounds, 123 s: 1 of 3 goals met.`,
      ),
    ).toBe(true);
    expect(out).not.toContain('old figures');
    expect(out).toContain('- **aws-http-get** (missed: 0.50 vs ≤ 0.33 (1.5x over)): building the Response through undici');
    expect(out.endsWith(`${README_END}\n\n## Next\n`)).toBe(true);
    expect(() => rewriteReadme('# no markers\n', [report])).toThrow(/no bench markers/);
  });
});

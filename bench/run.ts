/**
 * `npm run bench`: every row of bench/rows/*.ts, several rounds each, one table.
 *
 *   npm run bench                               all rows, 5 rounds, on the Node that runs npm
 *   npm run bench -- --rounds 3 --only aws-http-get --only aws-import
 *   npm run bench -- --node 22                  under another Node major (fetched once by .ci/node-versions --bin)
 *   npm run bench -- --node /path/to/node
 *   npm run bench -- --out results.json         the JSON somewhere else than bench/results/<node>.json
 *   npm run bench -- --readme README.md         then rewrite the README's Speed section from this run
 *   npm run bench -- --readme README.md --from bench/results/v20.20.2.json --from bench/results/v22.23.0.json
 *                                               rewrite it from earlier runs, without running
 *
 * Figures come from here only, never from a timed test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchRow } from './row.js';
import { rewriteReadme, textTable, missedNotes, type BenchReport, type RowResult } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    only: { type: 'string', multiple: true },
    node: { type: 'string' },
    out: { type: 'string' },
    readme: { type: 'string' },
    from: { type: 'string', multiple: true },
  },
  strict: true,
});

// --node: this same file under another Node binary, so the deployed runtime's figures (Node 22)
// stand beside the floor's (Node 20).
if (values.node) {
  const bin = /^\d+$/.test(values.node)
    ? `${execFileSync('bash', [resolve(here, '../.ci/node-versions'), '--bin', values.node], { encoding: 'utf8' }).trim()}/node`
    : values.node;
  const args = process.argv.slice(2);
  const at = args.indexOf('--node');
  const rest = at === -1 ? args.filter((a) => !a.startsWith('--node=')) : args.filter((_, i) => i !== at && i !== at + 1);
  const run = spawnSync(bin, ['--import', 'tsx', fileURLToPath(import.meta.url), ...rest], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds takes a whole number from 1 to 50, not ${values.rounds}`);

if (values.from) {
  if (!values.readme) throw new Error('--from rewrites the README from earlier runs: give --readme README.md too');
  writeReadme(
    values.readme,
    values.from.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchReport),
  );
  process.exit(0);
}

const rows: BenchRow[] = [];
for (const file of readdirSync(resolve(here, 'rows'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort()) {
  const mod = (await import(pathToFileURL(resolve(here, 'rows', file)).href)) as { rows?: BenchRow[] };
  if (!Array.isArray(mod.rows)) throw new Error(`bench/rows/${file} exports no rows array`);
  rows.push(...mod.rows);
}
const known = new Set(rows.map((r) => r.id));
for (const id of values.only ?? []) if (!known.has(id)) throw new Error(`--only ${id}: no such row; rows are ${[...known].join(', ')}`);
const chosen = values.only ? rows.filter((r) => values.only!.includes(r.id)) : rows;

const cpu = cpus();
const loadAtStart = loadavg()[0]!;
const started = performance.now();
console.log(`Node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'} x${cpu.length}, ${rounds} rounds, ${chosen.length} rows`);
const results: RowResult[] = [];
for (const row of chosen) {
  const values: Record<string, number[]> = {};
  const ratios: number[] = [];
  const rowStarted = performance.now();
  try {
    for (let round = 0; round < rounds; round++) {
      const got = await row.measure(round);
      for (const name of [row.subject, row.peer]) {
        if (!Number.isFinite(got[name])) throw new Error(`bench row ${row.id}: round ${round} gave no figure for "${name}" (${JSON.stringify(got)})`);
      }
      for (const [name, v] of Object.entries(got)) (values[name] ??= []).push(v);
      ratios.push(got[row.subject]! / got[row.peer]!);
    }
  } finally {
    await row.dispose?.();
  }
  const { id, what, unit, better, subject, peer, goal, note } = row;
  results.push({ id, what, unit, better, subject, peer, goal, ...(note ? { note } : {}), values, ratios });
  console.log(`  ${id}: ${((performance.now() - rowStarted) / 1000).toFixed(1)} s`);
}

const report: BenchReport = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpu: cpu[0]?.model.trim() ?? 'unknown CPU', cores: cpu.length, os: `${platform()} ${release()}`, load: [loadAtStart, loadavg()[0]!] },
  rounds,
  seconds: (performance.now() - started) / 1000,
  rows: results,
};
console.log('');
console.log(textTable(report));
const notes = missedNotes(report);
if (notes.length > 0) console.log(['', ...notes].join('\n'));
const out = values.out ?? resolve(here, 'results', `${process.version}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
console.log(`\nwrote ${out} (${report.seconds.toFixed(0)} s)`);
if (values.readme) writeReadme(values.readme, [report]);

function writeReadme(path: string, reports: BenchReport[]): void {
  writeFileSync(path, rewriteReadme(readFileSync(path, 'utf8'), reports));
  console.log(`rewrote the Speed section of ${path}`);
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from '../src/cli.js';
import type { TargetResolver } from '../src/composition-root.js';
import type { ConformanceHarness, ExpectedFailure } from './harness.js';
import { buildMatrix, matrixOk, matrixToMarkdown, matrixToText, type MatrixColumn } from './matrix.js';
import { runCases } from './run.js';

const DEFAULT_ADAPTERS = ['local', 'aws', 'azure', 'gcp'];
export const README_START = '<!-- conformance-matrix:start -->';
export const README_END = '<!-- conformance-matrix:end -->';

/** What a target module exports so `faasport conformance` can run it. */
interface ConformanceTarget {
  conformanceHarness?: () => ConformanceHarness;
  expectedFailures?: readonly ExpectedFailure[];
}

/**
 * Built-in adapters keep their harness out of the runtime module (it starts emulators and
 * local servers that a deployed bundle must never contain).
 */
const BUILTIN_HARNESSES: Record<string, () => Promise<ConformanceTarget>> = {
  local: async () => ({ conformanceHarness: (await import('../adapters/local/harness.js')).localHarness, expectedFailures: (await import('../adapters/local/expected-failures.js')).expectedFailures }),
  aws: async () => ({ conformanceHarness: (await import('../adapters/aws/harness.js')).awsHarness, expectedFailures: (await import('../adapters/aws/expected-failures.js')).expectedFailures }),
  azure: async () => ({ conformanceHarness: (await import('../adapters/azure/harness.js')).azureHarness, expectedFailures: (await import('../adapters/azure/expected-failures.js')).expectedFailures }),
  gcp: async () => ({ conformanceHarness: (await import('../adapters/gcp/harness.js')).gcpHarness, expectedFailures: (await import('../adapters/gcp/expected-failures.js')).expectedFailures }),
  container: async () => ({ conformanceHarness: (await import('../adapters/container/testing/harness.js')).containerHarness, expectedFailures: (await import('../adapters/container/expected-failures.js')).expectedFailures }),
};

/**
 * Which adapters a run covers: the four built-ins by default; `--adapter` with built-in names
 * runs exactly those; `--adapter` with only modules (a third-party adapter) adds them as
 * columns beside the built-ins, unless `--only` asks for the modules alone.
 */
export function adaptersToRun(requested: readonly string[] | undefined, only = false): string[] {
  const names = requested ?? [];
  if (names.length === 0) return [...DEFAULT_ADAPTERS];
  if (only || names.some((n) => DEFAULT_ADAPTERS.includes(n))) return [...names];
  return [...DEFAULT_ADAPTERS, ...names];
}

/**
 * `faasport conformance [--adapter X]... [--only] [--out dir] [--readme README.md]`: runs the suite
 * against each adapter, prints the matrix, writes matrix.json and matrix.md, and optionally
 * replaces the matrix section of a README. Exit 1 when any cell is an unexpected result.
 */
export async function conformanceCommand(args: string[], io: CliIo, resolveTarget: TargetResolver): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { adapter: { type: 'string', multiple: true }, only: { type: 'boolean' }, out: { type: 'string' }, readme: { type: 'string' } },
  });
  const names = adaptersToRun(values.adapter, values.only === true);
  const columns: MatrixColumn[] = [];
  for (const name of names) {
    io.output.line(`faasport conformance: running ${name}…`);
    let target: ConformanceTarget & { adapter: { name: string } };
    try {
      target = (await resolveTarget(name)) as unknown as ConformanceTarget & { adapter: { name: string } };
    } catch (err) {
      columns.push({ adapter: name, unavailable: (err as Error).message, results: [] });
      continue;
    }
    if (typeof target.conformanceHarness !== 'function' && BUILTIN_HARNESSES[name]) {
      try {
        target = { ...target, ...(await BUILTIN_HARNESSES[name]()) };
      } catch (err) {
        columns.push({ adapter: target.adapter.name, unavailable: `its conformance harness could not load: ${(err as Error).message}`, results: [] });
        continue;
      }
    }
    if (typeof target.conformanceHarness !== 'function') {
      columns.push({ adapter: target.adapter.name, unavailable: `the module exports no conformanceHarness()`, results: [] });
      continue;
    }
    const results = await runCases(target.conformanceHarness(), target.expectedFailures ?? []);
    columns.push({ adapter: target.adapter.name, results });
  }
  const matrix = buildMatrix(columns);
  io.output.line(matrixToText(matrix));
  const outDir = resolve(io.cwd, values.out ?? 'conformance-report');
  mkdirSync(outDir, { recursive: true });
  const markdown = matrixToMarkdown(matrix);
  writeFileSync(resolve(outDir, 'matrix.json'), JSON.stringify(matrix, null, 2) + '\n');
  writeFileSync(resolve(outDir, 'matrix.md'), markdown);
  io.output.line(`faasport conformance: wrote ${resolve(outDir, 'matrix.json')} and matrix.md`);
  if (values.readme) {
    const readmePath = resolve(io.cwd, values.readme);
    const readme = readFileSync(readmePath, 'utf8');
    const a = readme.indexOf(README_START);
    const b = readme.indexOf(README_END);
    if (a < 0 || b < a) {
      io.output.error(`faasport conformance: ${readmePath} has no ${README_START} … ${README_END} section to replace`);
      return 1;
    }
    const section = `${README_START}\n<!-- generated by: faasport conformance --readme README.md (do not edit by hand) -->\n\n${markdown}\n${README_END}`;
    writeFileSync(readmePath, readme.slice(0, a) + section + readme.slice(b + README_END.length));
    io.output.line(`faasport conformance: updated the matrix in ${readmePath}`);
  }
  return matrixOk(matrix) ? 0 : 1;
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from '../src/cli.js';
import { parseCommandArgs } from '../src/cli-options.js';
import { isFaasportError } from '../src/errors.js';
import { BUILTIN_TARGET_PACKAGES, fromModuleNotFound, missingPackages } from '../src/required-packages.js';
import { BUILTIN_TARGETS, type TargetResolver } from '../src/composition-root.js';
import type { Target } from '../src/target.js';
import type { ConformanceHarness } from '../src/conformance-harness.js';
import { buildMatrix, matrixOk, matrixToMarkdown, matrixToText, type MatrixColumn } from './matrix.js';
import { HarnessNotStartedError, runCases } from './run.js';

const DEFAULT_ADAPTERS = ['local', 'aws', 'azure', 'gcp'];
export const README_START = '<!-- conformance-matrix:start -->';
export const README_END = '<!-- conformance-matrix:end -->';

/** The matrix's "not run" reason for a missing package: the same words for every adapter. */
function installLine(packages: readonly string[]): string {
  return `install ${packages.join(' ')} (npm install --save-dev ${packages.join(' ')})`;
}

function notRunReason(err: unknown, name: string, otherwise?: string): string {
  const missing = isFaasportError(err) && err.code === 'PACKAGE_MISSING' ? err : fromModuleNotFound(err, `conformance --adapter ${name}`);
  if (missing) return installLine(missing.details!.packages as string[]);
  if (otherwise) return otherwise;
  return isFaasportError(err) ? err.message : `its module could not load: ${(err as Error)?.message ?? String(err)}`;
}

/** Runs `fn` with process.stderr written into `into` instead of the terminal. */
async function captureStderr<T>(into: string[], fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * Which adapters a run covers: the four built-ins by default (the container, built in too,
 * only when asked for); `--adapter` with built-in names runs exactly those; `--adapter` with only modules (a third-party adapter) adds them as
 * columns beside the built-ins, unless `--only` asks for the modules alone.
 */
export function adaptersToRun(requested: readonly string[] | undefined, only = false): string[] {
  const names = requested ?? [];
  if (names.length === 0) return [...DEFAULT_ADAPTERS];
  if (only || names.some((n) => n in BUILTIN_TARGETS)) return [...names];
  return [...DEFAULT_ADAPTERS, ...names];
}

/**
 * `faasport conformance [--adapter X]... [--only] [--out dir] [--readme README.md]`: runs the suite
 * against each adapter, prints the matrix, writes matrix.json and matrix.md, and optionally
 * replaces the matrix section of a README. Exit 1 when any cell is an unexpected result.
 */
export async function conformanceCommand(args: string[], io: CliIo, resolveTarget: TargetResolver): Promise<number> {
  const { values } = parseCommandArgs('conformance', args);
  const adapters = Array.isArray(values.adapter) ? values.adapter : undefined;
  const names = adaptersToRun(adapters, values.only === true);
  const outDir = resolve(io.cwd, typeof values.out === 'string' ? values.out : 'conformance-report');
  const columns: MatrixColumn[] = [];
  // The cases make handlers fail on purpose; what the runtimes print about it (the Functions
  // Framework logs every thrown error) goes to a file, not above the matrix.
  const platformOutput: string[] = [];
  for (const name of names) {
    io.output.line(`faasport conformance: running ${name}…`);
    // Every adapter whose packages are missing is "not run: install …", checked before anything starts.
    const missing = missingPackages(BUILTIN_TARGET_PACKAGES[name]?.conformance ?? []);
    if (missing.length > 0) {
      columns.push({ adapter: name, unavailable: installLine(missing), results: [] });
      continue;
    }
    // Built-in or third party, the same path: the module's target, then its harness (which a
    // built-in loads, with its emulators, only now).
    let target: Target;
    let harness: ConformanceHarness;
    try {
      target = await resolveTarget(name);
      if (typeof target.conformanceHarness !== 'function') {
        columns.push({ adapter: target.adapter.name, unavailable: `the module exports no conformanceHarness()`, results: [] });
        continue;
      }
      harness = await target.conformanceHarness();
    } catch (err) {
      columns.push({ adapter: name, unavailable: notRunReason(err, name), results: [] });
      continue;
    }
    try {
      const results = await captureStderr(platformOutput, () => runCases(harness, target.expectedFailures ?? []));
      columns.push({ adapter: target.adapter.name, results });
    } catch (err) {
      if (!(err instanceof HarnessNotStartedError)) throw err;
      columns.push({ adapter: target.adapter.name, unavailable: notRunReason(err.cause, name, err.message), results: [] });
    }
  }
  const matrix = buildMatrix(columns);
  io.output.line(matrixToText(matrix));
  mkdirSync(outDir, { recursive: true });
  if (platformOutput.length > 0) {
    writeFileSync(resolve(outDir, 'platform-output.log'), platformOutput.join(''));
    io.output.line(
      `faasport conformance: what the runtimes printed while the cases ran (failures the suite provokes on purpose) is in ${resolve(outDir, 'platform-output.log')}`,
    );
  }
  const markdown = matrixToMarkdown(matrix);
  writeFileSync(resolve(outDir, 'matrix.json'), JSON.stringify(matrix, null, 2) + '\n');
  writeFileSync(resolve(outDir, 'matrix.md'), markdown);
  io.output.line(`faasport conformance: wrote ${resolve(outDir, 'matrix.json')} and matrix.md`);
  if (typeof values.readme === 'string') {
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

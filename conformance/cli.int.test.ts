import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { adaptersToRun } from './cli.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'faasport-matrix-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('faasport conformance: which adapters run', () => {
  it.each([
    [undefined, false, ['local', 'aws', 'azure', 'gcp']],
    [['./examples/custom-adapter'], false, ['local', 'aws', 'azure', 'gcp', './examples/custom-adapter']],
    [['./examples/custom-adapter'], true, ['./examples/custom-adapter']],
    [['local', './examples/custom-adapter'], false, ['local', './examples/custom-adapter']],
    [['gcp'], false, ['gcp']],
    // The container is built in too (not in the default four: it starts a server per cloud).
    [['container'], false, ['container']],
  ])('%j (only: %s) → %j', (requested, only, expected) => expect(adaptersToRun(requested as string[] | undefined, only)).toEqual(expected));
});

describe('faasport conformance writes the matrix', () => {
  it('runs local and the third-party adapter as columns, prints the matrix, writes JSON and Markdown with a reason for every non-pass cell', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await main(['conformance', '--adapter', 'local', '--adapter', './examples/custom-adapter', '--out', out], {
      cwd: repo,
      env: process.env,
      output: { line: (l: string) => lines.push(l), error: (l: string) => errors.push(l) },
    });
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as { columns: { adapter: string }[] } & Record<string, unknown>;
    const text = JSON.stringify(json);
    expect(text).toContain('"local"');
    expect(text).toContain('"knative"');
    const md = readFileSync(join(out, 'matrix.md'), 'utf8');
    expect(md).toMatch(/\| test \| local \| knative \|/);
    for (const group of ['http', 'queue', 'topic', 'schedule', 'event', 'context', 'errors']) expect(md).toContain(`**${group}**`);
    // Every unsupported cell has its reason listed under the table.
    expect(md).toMatch(/knative — queue > FIFO keeps order within a group, even across a retry: no FIFO/);
    expect(md).toMatch(/local — event > a storage notification .*: the platform has no storage service/);
    expect(lines.join('\n')).toMatch(/faasport conformance: running local…/);
  }, 300_000);
});

import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

// The promise of the project: one app, built for every cloud with no change.
const root = fileURLToPath(new URL('../..', import.meta.url));
const out = `${root}.faasport/guestbook-${randomUUID()}`;
afterAll(() => rm(out, { recursive: true, force: true }));

describe.each([
  ['aws', ['index.mjs', 'template.json']],
  ['azure', ['host.json', 'package.json', 'infra/azuredeploy.json']],
  ['gcp', ['package.json', 'deploy.sh']],
])('faasport build examples/guestbook --target %s', (target, expected) => {
  it('writes a deployable folder with code and infrastructure', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await main(['build', 'examples/guestbook/app.ts', '--target', target, '--out', `${out}/${target}`], {
      cwd: root,
      env: {},
      output: { line: (l) => lines.push(l), error: (l) => errors.push(l) },
    });
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    for (const file of expected) expect(existsSync(`${out}/${target}/${file}`), `${target}: ${file}`).toBe(true);
    const text = lines.join('\n');
    expect(text).toMatch(new RegExp(`wrote \\d+ files for ${target}`));
  }, 60_000);
});

it('the aws bundle exports one handler per function and carries no other cloud', () => {
  const bundle = readFileSync(`${out}/aws/index.mjs`, 'utf8');
  for (const name of ['sign', 'moderate', 'announce', 'digest']) expect(bundle).toMatch(new RegExp(`\\b${name}\\b`));
  expect(bundle).not.toMatch(/@azure\/functions|@google-cloud\/functions-framework/);
});

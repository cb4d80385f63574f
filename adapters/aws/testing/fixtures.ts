import { readdirSync, readFileSync } from 'node:fs';

/** The vendor fixtures folder, kept in the repository (conformance/fixtures, see its PROVENANCE.md). */
export const FIXTURES = new URL('../../../conformance/fixtures/aws/', import.meta.url);

/** Loads a vendor fixture as JSON (several files start with a UTF-8 BOM). */
export function loadFixture<T = unknown>(relative: string): T {
  const text = readFileSync(new URL(relative, FIXTURES), 'utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as T;
}

/** Every event fixture (`folder/file.json`), without the one response sample. */
export function listEventFixtures(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(new URL(`${d.name}/`, FIXTURES)).map((f) => `${d.name}/${f}`))
    .filter((f) => f.endsWith('.json') && f !== 'sqs/response-batch-item-failures.json')
    .sort();
}

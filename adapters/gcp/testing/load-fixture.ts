import { readFileSync } from 'node:fs';

/** The vendor fixtures folder, kept in the repository (conformance/fixtures, see its PROVENANCE.md). */
export const FIXTURES = new URL('../../../conformance/fixtures/', import.meta.url);

/** A vendor fixture's text, without the UTF-8 byte-order mark some files carry. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8').replace(/^\uFEFF/, '');
}

/** A vendor fixture, parsed. */
export function loadFixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costTable, README_WORKLOADS, TABLE_END, TABLE_START } from './cost-table.js';

describe("the README's functions-or-containers cost table", () => {
  it('is what faasport cost says today (regenerate: npx tsx src/cost/cost-table.ts)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'README.md has the table markers').toBeGreaterThan(0);
    expect(readme.slice(start + TABLE_START.length, end).trim()).toBe(await costTable('examples/shop/app.ts', README_WORKLOADS, process.cwd()));
  }, 60_000);
});

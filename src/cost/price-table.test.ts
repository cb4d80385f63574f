import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFaasportError } from '../errors.js';
import { toCloudCost } from './function-cost.js';
import { meter } from './line-item.js';
import { builtInPriceTable, CLOUDS, loadPriceTables } from './price-table.js';

function pricesFile(content: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-prices-'));
  writeFileSync(join(dir, 'prices.json'), content);
  return { dir, file: 'prices.json' };
}

function configError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (isFaasportError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a FaasportError');
}

describe('price tables', () => {
  it.each(CLOUDS)('the %s table is dated and every number names the https page it came from', (cloud) => {
    const table = builtInPriceTable(cloud);
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(table.prices).length).toBeGreaterThan(3);
    for (const entry of Object.values(table.prices)) expect(entry.source).toMatch(/^https:\/\//);
  });

  it('a null price (a known gap in a table) leaves its line unpriced: no dollars, out of the total, named', () => {
    // Prepare
    const priced = meter({ service: 'S', item: 'a', quantity: 2e6, unit: 'requests', price: 1, per: 1e6 });
    const gap = meter({ service: 'S', item: 'b', quantity: 5, unit: 'ops', price: null });
    // Act
    const cost = toCloudCost('azure', 'functions', [priced, gap], []);
    // Assess
    expect(gap.usd).toBeNull();
    expect(cost.totalUsd).toBe(2);
    expect(cost.unpriced).toEqual(['S b']);
  });

  it('lays a user file over the built-in numbers and dates the result with the file', () => {
    const { dir, file } = pricesFile(
      JSON.stringify({ asOf: '2026-11-01', aws: { 'lambda.gbSecond': { value: 0.000015, source: 'https://example.com/contract' } } }),
    );
    const tables = loadPriceTables({ pricesFile: file, cwd: dir });
    expect(tables.aws.prices['lambda.gbSecond']!.value).toBe(0.000015);
    expect(tables.aws.prices['lambda.requestsPerMillion']!.value).toBe(0.2);
    expect(tables.aws.asOf).toBe('2026-11-01');
    expect(tables.aws.origin).toMatch(/1 price\(s\) from prices\.json \(as of 2026-11-01\)/);
    expect(tables.gcp.origin).toBe('src/cost/prices/gcp.json');
  });

  it.each([
    ['not JSON', '{ aws: ', /prices\.json is not JSON/],
    ['not an object', '[1, 2]', /the top level must be an object keyed by cloud/],
    ['an unknown cloud', '{ "oracle": {} }', /"oracle" is not a cloud; use aws, azure or gcp/],
    [
      'an unknown price',
      '{ "aws": { "lambda.gbSeconds": { "value": 1 } } }',
      /aws\."lambda\.gbSeconds" is not a known price; known: lambda\.requestsPerMillion/,
    ],
    ['a negative price', '{ "gcp": { "pubsub.tibDelivered": { "value": -40 } } }', /gcp\."pubsub\.tibDelivered"\.value must be a non-negative number, got -40/],
    [
      'a price given as text',
      '{ "azure": { "flex.gbSecond": { "value": "cheap" } } }',
      /azure\."flex\.gbSecond"\.value must be a non-negative number, got "cheap"/,
    ],
    [
      'a null price (only the built-in tables may lack one)',
      '{ "aws": { "sqs.requestsPerMillion": { "value": null } } }',
      /\.value must be a non-negative number, got null/,
    ],
    ['a bad date', '{ "asOf": "last week", "aws": {} }', /"asOf" must be a date like "2026-11-01", got "last week"/],
  ])('refuses a --prices file with %s, naming the field', (_label, content, message) => {
    const { dir, file } = pricesFile(content);
    const err = configError(() => loadPriceTables({ pricesFile: file, cwd: dir }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/^faasport cost --prices: /);
    expect(err.message).toMatch(message);
  });

  it('refuses a --prices file that does not exist', () => {
    const err = configError(() => loadPriceTables({ pricesFile: 'nope.json', cwd: tmpdir() }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/cannot read nope\.json/);
  });

  it('refuses a region no table covers, listing the ones it has', () => {
    const err = configError(() => loadPriceTables({ regions: { aws: 'eu-north-9' } }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/aws has no price table for "eu-north-9"; the tables cover us-east-1/);
  });
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FaasportError } from '../errors.js';
import awsTable from './prices/aws.json' with { type: 'json' };
import azureTable from './prices/azure.json' with { type: 'json' };
import gcpTable from './prices/gcp.json' with { type: 'json' };

export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** One number of a price table and where it came from. `value: null` means no public price was found. */
export interface PriceEntry {
  readonly value: number | null;
  readonly unit?: string;
  readonly source?: string;
  readonly verified?: boolean;
  readonly note?: string;
}

/** The prices of one cloud for a set of regions, dated. */
export interface PriceTable {
  readonly cloud: Cloud;
  readonly currency: 'USD';
  /** The day the numbers were read (YYYY-MM-DD). */
  readonly asOf: string;
  readonly regions: readonly string[];
  readonly prices: Readonly<Record<string, PriceEntry>>;
  /** Where the table came from: the repository file, plus the user's file when it overrides some numbers. */
  readonly origin: string;
}

const BUILT_IN: Record<Cloud, { table: unknown; file: string }> = {
  aws: { table: awsTable, file: 'src/cost/prices/aws.json' },
  azure: { table: azureTable, file: 'src/cost/prices/azure.json' },
  gcp: { table: gcpTable, file: 'src/cost/prices/gcp.json' },
};

/** The default region of each cloud when `--region` is not given. */
export const DEFAULT_REGIONS: Record<Cloud, string> = { aws: 'us-east-1', azure: 'eastus', gcp: 'us-central1' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The built-in table of a cloud, validated like a user's (a broken repository file fails loudly). */
export function builtInPriceTable(cloud: Cloud): PriceTable {
  const { table, file } = BUILT_IN[cloud];
  return validateTable(table, file, cloud, true);
}

/**
 * The price tables for `regions` (one per cloud), with the user's own prices (`--prices`) laid
 * over the built-in ones. A region no table covers, or a bad user file, is a CONFIG_INVALID
 * error naming the region or the field.
 */
export function loadPriceTables(options: { regions?: Partial<Record<Cloud, string>>; pricesFile?: string; cwd?: string } = {}): Record<Cloud, PriceTable> {
  const overrides =
    options.pricesFile === undefined ? undefined : readUserPrices(resolve(options.cwd ?? process.cwd(), options.pricesFile), options.pricesFile);
  const out = {} as Record<Cloud, PriceTable>;
  for (const cloud of CLOUDS) {
    const base = builtInPriceTable(cloud);
    const region = options.regions?.[cloud] ?? DEFAULT_REGIONS[cloud];
    if (!base.regions.includes(region)) {
      throw new FaasportError(
        'CONFIG_INVALID',
        `faasport cost --region: ${cloud} has no price table for "${region}"; the tables cover ${base.regions.join(', ')} (pass --prices with your own table for other regions)`,
        { details: { cloud, region, known: base.regions } },
      );
    }
    out[cloud] = overrides?.[cloud] ? overlay(base, overrides[cloud], overrides.asOf, options.pricesFile!) : base;
  }
  return out;
}

/** A price a calculation needs; a missing key is a programming error, a null value a known gap. */
export function price(table: PriceTable, key: string): number | null {
  const entry = table.prices[key];
  if (!entry) throw new FaasportError('INTERNAL', `price table ${table.cloud} (${table.origin}) has no "${key}"`);
  return entry.value;
}

/** A copy of `table` with some values replaced (tests, and the vendors' worked examples that quote older prices). */
export function withPrices(table: PriceTable, values: Readonly<Record<string, number>>, origin = 'given prices'): PriceTable {
  const prices: Record<string, PriceEntry> = { ...table.prices };
  for (const [key, value] of Object.entries(values)) {
    if (!prices[key]) throw new FaasportError('INTERNAL', `price table ${table.cloud} has no "${key}"`);
    prices[key] = { ...prices[key], value };
  }
  return { ...table, prices, origin: `${table.origin} with ${origin}` };
}

interface UserPrices {
  asOf: string | undefined;
  aws?: Record<string, PriceEntry>;
  azure?: Record<string, PriceEntry>;
  gcp?: Record<string, PriceEntry>;
}

function readUserPrices(path: string, shown: string): UserPrices {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `faasport cost --prices: cannot read ${shown}: ${(err as Error).message}; pass a JSON file like { "asOf": "2026-11-01", "aws": { "lambda.gbSecond": { "value": 0.000015 } } }`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', `faasport cost --prices: ${shown} is not JSON (${(err as Error).message})`, { cause: err });
  }
  const bad = (field: string, problem: string): FaasportError =>
    new FaasportError('CONFIG_INVALID', `faasport cost --prices: ${shown}: ${field} ${problem}`, { details: { file: shown, field } });
  if (!isObject(json)) throw bad('the top level', 'must be an object keyed by cloud (aws, azure, gcp)');
  const out: UserPrices = { asOf: undefined };
  for (const [key, value] of Object.entries(json)) {
    if (key === 'asOf') {
      if (typeof value !== 'string' || !DATE.test(value)) throw bad('"asOf"', `must be a date like "2026-11-01", got ${JSON.stringify(value)}`);
      out.asOf = value;
      continue;
    }
    if (!(CLOUDS as readonly string[]).includes(key)) throw bad(`"${key}"`, `is not a cloud; use aws, azure or gcp (or "asOf")`);
    const cloud = key as Cloud;
    if (!isObject(value)) throw bad(`"${cloud}"`, 'must be an object of prices, e.g. { "lambda.gbSecond": { "value": 0.000015 } }');
    const known = builtInPriceTable(cloud).prices;
    const entries: Record<string, PriceEntry> = {};
    for (const [name, entry] of Object.entries(value)) {
      if (!known[name]) throw bad(`${cloud}."${name}"`, `is not a known price; known: ${Object.keys(known).join(', ')}`);
      entries[name] = checkEntry(entry, `${cloud}."${name}"`, false, bad);
    }
    out[cloud] = entries;
  }
  return out;
}

function overlay(base: PriceTable, entries: Record<string, PriceEntry>, asOf: string | undefined, file: string): PriceTable {
  return {
    ...base,
    asOf: asOf ?? base.asOf,
    prices: { ...base.prices, ...entries },
    origin: `${base.origin} with ${Object.keys(entries).length} price(s) from ${file}${asOf ? ` (as of ${asOf})` : ''}`,
  };
}

function validateTable(table: unknown, file: string, cloud: Cloud, allowNull: boolean): PriceTable {
  const bad = (field: string, problem: string): FaasportError =>
    new FaasportError('CONFIG_INVALID', `price table ${file}: ${field} ${problem}`, { details: { file, field } });
  if (!isObject(table)) throw bad('the top level', 'must be an object');
  if (table.cloud !== cloud) throw bad('"cloud"', `must be "${cloud}"`);
  if (table.currency !== 'USD') throw bad('"currency"', 'must be "USD"');
  if (typeof table.asOf !== 'string' || !DATE.test(table.asOf)) throw bad('"asOf"', 'must be a date like "2026-11-01"');
  if (!Array.isArray(table.regions) || table.regions.length === 0 || !table.regions.every((r) => typeof r === 'string'))
    throw bad('"regions"', 'must be a non-empty list of region names');
  if (!isObject(table.prices)) throw bad('"prices"', 'must be an object');
  const prices: Record<string, PriceEntry> = {};
  for (const [name, entry] of Object.entries(table.prices)) {
    prices[name] = checkEntry(entry, `prices."${name}"`, allowNull, bad);
    if (typeof prices[name]!.source !== 'string' || !/^https:\/\//.test(prices[name]!.source!))
      throw bad(`prices."${name}".source`, 'must be the https URL of the page the number came from');
  }
  return { cloud, currency: 'USD', asOf: table.asOf, regions: table.regions as string[], prices, origin: file };
}

function checkEntry(entry: unknown, field: string, allowNull: boolean, bad: (field: string, problem: string) => FaasportError): PriceEntry {
  if (!isObject(entry)) throw bad(field, 'must be an object like { "value": 0.2, "source": "https://..." }');
  const value = entry.value;
  const ok = (allowNull && value === null) || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
  if (!ok) throw bad(`${field}.value`, `must be a non-negative number, got ${JSON.stringify(value)}`);
  for (const text of ['unit', 'source', 'note'] as const) {
    if (entry[text] !== undefined && typeof entry[text] !== 'string') throw bad(`${field}.${text}`, 'must be a string');
  }
  if (entry.verified !== undefined && typeof entry.verified !== 'boolean') throw bad(`${field}.verified`, 'must be true or false');
  return entry as unknown as PriceEntry;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

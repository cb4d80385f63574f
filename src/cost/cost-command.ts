import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { App } from '../app.js';
import type { AppLoader, Output } from '../composition-root.js';
import { FaasportError } from '../errors.js';
import { joinNegativeValues } from '../cli-options.js';
import { breakEven, estimator, type BreakEven, type Estimate } from './break-even.js';
import { DEFAULT_SIZING } from './container-cost.js';
import type { CloudCost } from './function-cost.js';
import type { LineItem } from './line-item.js';
import { measureApp, type Measurement } from './measure.js';
import { builtInPriceTable, CLOUDS, DEFAULT_REGIONS, loadPriceTables, type Cloud, type PriceTable } from './price-table.js';
import { formatRate, renderLineChart } from './svg-chart.js';
import { SECONDS_PER_MONTH, type Workload } from './workload.js';

const COST_USAGE = `  faasport cost <app.ts> [--requests-per-month N | --rps N] [--duration-ms 100] [--memory-mb M]
                 [--messages-per-month N | <queue|topic|event fn>=N]... [--message-bytes 1024]
                 [--region <region> | <cloud>=<region>]... [--prices <file>] [--measure] [--chart <file>] [--json]`;

const DEFAULT_REQUESTS_PER_MONTH = 1_000_000;
const DEFAULT_DURATION_MS = 100;

export interface CostIo {
  cwd: string;
  output: Output;
}

/** The parsed flags of `faasport cost`. */
export interface CostOptions {
  appPath: string;
  rps: number;
  /** Where the rate came from, for the heading. */
  rateGiven: 'rps' | 'requests-per-month' | 'default';
  durationMs: number;
  memoryMb: number | undefined;
  messages: { all?: number; byName: Record<string, number> };
  messageBytes: number;
  regions: Partial<Record<Cloud, string>>;
  pricesFile: string | undefined;
  measure: boolean;
  chart: string | undefined;
  json: boolean;
}

/** `faasport cost`: what the app would cost as functions and as containers on each cloud. */
export async function costCommand(args: string[], io: CostIo, loadApp: AppLoader): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.output.line(`Usage:\n${COST_USAGE}`);
    return 0;
  }
  const options = parseCostArgs(args);
  // Prices and regions are checked before the app loads: a typo fails fast.
  const tables = loadPriceTables({ regions: options.regions, ...(options.pricesFile ? { pricesFile: options.pricesFile } : {}), cwd: io.cwd });
  const { app } = await loadApp(options.appPath);
  checkMessageNames(app, options.messages.byName);
  const measurement = options.measure ? await measureApp(app) : undefined;
  const estimate = estimator(
    app,
    {
      durationMs: options.durationMs,
      ...(measurement ? { measuredMs: measurement.durations } : {}),
      ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
      messages: options.messages,
      messageBytes: options.messageBytes,
    },
    tables,
  );
  const now = estimate(options.rps);
  const breakEvens = CLOUDS.map((cloud) => breakEven(cloud, estimate));
  const chartPath = resolve(io.cwd, options.chart ?? `faasport-cost-${app.name}.svg`);
  try {
    writeFileSync(chartPath, chartSvg(app, estimate, options.rps, breakEvens));
  } catch (err) {
    throw invalid(`--chart: cannot write ${chartPath} (${(err as Error).message}); pass a path in a folder that exists and is writable`, { chart: chartPath });
  }
  const report = { app: app.name, options, tables, now, breakEvens, measurement, chartPath };
  io.output.line(options.json ? JSON.stringify(toJson(report), null, 2) : formatReport(report));
  return 0;
}

/** Parses and checks the flags; every bad value is a CONFIG_INVALID error naming the flag. */
function parseCostArgs(args: string[]): CostOptions {
  const { values, positionals } = parseArgs({
    // "--rps -5" must reach the range check (a typed error), not fail as a missing value.
    args: joinNegativeValues(args),
    allowPositionals: true,
    options: {
      'requests-per-month': { type: 'string' },
      rps: { type: 'string' },
      'duration-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      'messages-per-month': { type: 'string', multiple: true },
      'message-bytes': { type: 'string' },
      region: { type: 'string', multiple: true },
      prices: { type: 'string' },
      measure: { type: 'boolean' },
      chart: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const appPath = positionals[0];
  if (!appPath) throw invalid('missing the app file; run "faasport cost path/to/app.ts --rps 10"');
  if (values.rps !== undefined && values['requests-per-month'] !== undefined) {
    throw invalid('--rps and --requests-per-month both given; pass one (1 rps is 2,628,000 requests a month)');
  }
  let rps = DEFAULT_REQUESTS_PER_MONTH / SECONDS_PER_MONTH;
  let rateGiven: CostOptions['rateGiven'] = 'default';
  if (values.rps !== undefined) {
    rps = number('rps', values.rps, 0, 1e6);
    rateGiven = 'rps';
  } else if (values['requests-per-month'] !== undefined) {
    rps = number('requests-per-month', values['requests-per-month'], 0, 1e6 * SECONDS_PER_MONTH) / SECONDS_PER_MONTH;
    rateGiven = 'requests-per-month';
  }
  const messages: CostOptions['messages'] = { byName: {} };
  for (const entry of values['messages-per-month'] ?? []) {
    const eq = entry.indexOf('=');
    if (eq === -1) messages.all = number('messages-per-month', entry, 0, 1e15);
    else messages.byName[entry.slice(0, eq)] = number(`messages-per-month ${entry.slice(0, eq)}`, entry.slice(eq + 1), 0, 1e15);
  }
  return {
    appPath,
    rps,
    rateGiven,
    durationMs: values['duration-ms'] === undefined ? DEFAULT_DURATION_MS : number('duration-ms', values['duration-ms'], 1, 900_000),
    memoryMb: values['memory-mb'] === undefined ? undefined : number('memory-mb', values['memory-mb'], 128, 32_768),
    messages,
    messageBytes: values['message-bytes'] === undefined ? 1024 : number('message-bytes', values['message-bytes'], 1, 256 * 1024 * 1024),
    regions: parseRegions(values.region ?? []),
    pricesFile: values.prices,
    measure: values.measure ?? false,
    chart: values.chart,
    json: values.json ?? false,
  };
}

/** A count for a name the app does not have would be silently ignored: refuse it, listing the names it has. */
function checkMessageNames(app: App, byName: Record<string, number>): void {
  const known = [...app.queues.map((q) => q.name), ...app.topics.map((t) => t.name), ...app.functions.filter((f) => f.kind === 'event').map((f) => f.name)];
  for (const name of Object.keys(byName)) {
    if (!known.includes(name)) {
      throw invalid(
        `--messages-per-month ${name}=…: app "${app.name}" has no queue, topic or event function named "${name}"; it has ${known.join(', ') || 'none'}`,
        { name },
      );
    }
  }
}

function parseRegions(entries: string[]): Partial<Record<Cloud, string>> {
  const regions: Partial<Record<Cloud, string>> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq !== -1) {
      const cloud = entry.slice(0, eq);
      if (!(CLOUDS as readonly string[]).includes(cloud)) throw invalid(`--region ${entry}: "${cloud}" is not a cloud; use aws=, azure= or gcp=`);
      regions[cloud as Cloud] = entry.slice(eq + 1);
      continue;
    }
    const cloud = CLOUDS.find((c) => builtInPriceTable(c).regions.includes(entry));
    if (!cloud) {
      const known = CLOUDS.map((c) => `${c}: ${builtInPriceTable(c).regions.join(', ')}`).join('; ');
      throw invalid(`--region: no price table covers "${entry}" (${known}); name the cloud (aws=${entry}) and pass --prices for other regions`, {
        region: entry,
      });
    }
    regions[cloud] = entry;
  }
  return regions;
}

function number(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw invalid(`--${flag} must be a number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got "${text}"`, { flag, value: text });
  }
  return n;
}

function invalid(message: string, details?: Record<string, unknown>): FaasportError {
  return new FaasportError('CONFIG_INVALID', message, details ? { details } : {});
}

interface Report {
  app: string;
  options: CostOptions;
  tables: Record<Cloud, PriceTable>;
  now: Estimate;
  breakEvens: BreakEven[];
  measurement: Measurement | undefined;
  chartPath: string;
}

const COLORS: Record<Cloud, string> = { aws: '#d97706', azure: '#2563eb', gcp: '#16a34a' };

function chartSvg(app: App, estimate: (rps: number) => Estimate, rps: number, breakEvens: BreakEven[]): string {
  const found = breakEvens.flatMap((b) => (b.rps === null ? [] : [b.rps]));
  const xMin = Math.min(0.01, rps > 0 ? rps / 10 : 0.01);
  const xMax = Math.min(10_000, Math.max(100, rps * 10, ...found.map((r) => r * 4)));
  const xs = Array.from({ length: 61 }, (_, i) => xMin * (xMax / xMin) ** (i / 60));
  const estimates = xs.map((x) => estimate(x));
  return renderLineChart({
    title: `faasport cost: "${app.name}", monthly cost by request rate`,
    xLabel: 'HTTP requests per second (log scale)',
    yLabel: 'USD per month (log scale)',
    series: CLOUDS.flatMap((cloud) => [
      {
        id: `${cloud}-functions`,
        label: `${cloud} functions`,
        color: COLORS[cloud],
        dashed: false,
        points: estimates.map((e) => [e.rps, e.clouds[cloud].functions.totalUsd] as const),
      },
      {
        id: `${cloud}-containers`,
        label: `${cloud} containers`,
        color: COLORS[cloud],
        dashed: true,
        points: estimates.map((e) => [e.rps, e.clouds[cloud].containers.totalUsd] as const),
      },
    ]),
    markers: [
      ...(rps > 0 ? [{ x: rps, label: `given: ${formatRate(rps)}`, color: '#111111' }] : []),
      ...breakEvens.flatMap((b) => (b.rps === null ? [] : [{ x: b.rps, label: `${b.cloud} break-even: ${formatRate(b.rps)}`, color: COLORS[b.cloud] }])),
    ],
  });
}

function formatReport(r: Report): string {
  const { options, now } = r;
  const w = now.workload;
  const lines: string[] = [];
  const rate =
    options.rateGiven === 'default'
      ? `${count(w.requestsPerMonth)} HTTP requests a month (default; pass --rps or --requests-per-month)`
      : `${formatRate(options.rps)} (${count(w.requestsPerMonth)} HTTP requests a month)`;
  const duration = r.measurement
    ? `durations measured locally (an estimate): ${Object.entries(r.measurement.durations)
        .map(([n, ms]) => `${n} ${ms} ms`)
        .join(', ')}; ${options.durationMs} ms for the rest`
    : `${options.durationMs} ms per invocation`;
  const memory = options.memoryMb !== undefined ? `${options.memoryMb} MB` : 'memory as each function declares';
  lines.push(`faasport cost: app "${r.app}" at ${rate}, ${duration}, ${memory}`);
  lines.push(`uses: ${describeUse(w)}`);
  lines.push(`prices: ${CLOUDS.map((c) => `${c} ${options.regions[c] ?? DEFAULT_REGIONS[c]} as of ${r.tables[c].asOf} (${r.tables[c].origin})`).join('; ')}`);
  lines.push('');
  const header = ['cloud', 'functions / month', 'containers / month', 'containers cheaper from'];
  const rows = CLOUDS.map((cloud) => {
    const c = now.clouds[cloud];
    const b = r.breakEvens.find((x) => x.cloud === cloud)!;
    return [
      cloud,
      usd(c.functions),
      usd(c.containers),
      b.rps === null
        ? 'never below 10,000 rps'
        : `${formatRate(b.rps)} (${count(b.requestsPerMonth!)} requests/month)${b.untilRps === null ? '' : ` until ${formatRate(b.untilRps)}`}`,
    ];
  });
  lines.push(...table([header, ...rows]));
  for (const cloud of CLOUDS) {
    for (const model of ['functions', 'containers'] as const) {
      const c = now.clouds[cloud][model];
      lines.push('', `${cloud} as ${model}: ${c.platform} — ${usd(c)} a month`);
      lines.push(...table(c.items.map(itemRow)).map((l) => `  ${l}`));
      for (const note of c.notes) lines.push(`  note: ${note}`);
    }
  }
  lines.push('');
  for (const note of w.notes) lines.push(`note: ${note}`);
  if (r.measurement) for (const [name, why] of Object.entries(r.measurement.skipped)) lines.push(`note: ${name} not measured: ${why}`);
  lines.push(`note: internet egress and logging are not included; prices marked verified=false in the tables are unconfirmed.`);
  lines.push(`chart: ${r.chartPath}`);
  return lines.join('\n');
}

function describeUse(w: Workload): string {
  const parts: string[] = [];
  const http = w.functions.filter((f) => f.kind === 'http');
  if (http.length) parts.push(`http ${http.map((f) => f.name).join(', ')}`);
  for (const c of w.channels) parts.push(`${c.kind} ${c.name} (${count(c.messages)} messages, ${c.subscribers} consumer${c.subscribers === 1 ? '' : 's'})`);
  for (const s of w.schedules) parts.push(`schedule ${s.name} (${count(s.runsPerMonth)} runs)`);
  const events = w.functions.filter((f) => f.kind === 'event');
  if (events.length) parts.push(`event ${events.map((f) => `${f.name} (${count(f.invocations)})`).join(', ')}`);
  return parts.join(' · ') || 'no functions';
}

function itemRow(i: LineItem): string[] {
  const price = i.price === null ? 'no public price' : `× $${i.price}${i.per === 1 ? '' : ` per ${perText(i.per)}`}`;
  return [
    `${i.service} ${i.item}`,
    `${count(i.quantity)} ${i.unit}`,
    i.free > 0 ? `− ${count(i.free)} free` : '',
    price,
    i.usd === null ? 'not priced' : `$${money(i.usd)}`,
    i.note ?? '',
  ];
}

function perText(per: number): string {
  if (per === 2 ** 40) return 'TiB';
  return per >= 1e6 && per % 1e6 === 0 ? `${per / 1e6}M` : count(per);
}

function usd(c: CloudCost): string {
  return `$${money(c.totalUsd)}${c.unpriced.length ? ` + unpriced ${c.unpriced.join(', ')}` : ''}`;
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function count(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : 0 });
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function toJson(r: Report): unknown {
  return {
    app: r.app,
    rps: r.options.rps,
    requestsPerMonth: r.now.workload.requestsPerMonth,
    durationMs: r.options.durationMs,
    ...(r.measurement ? { measured: { estimate: true, durationsMs: r.measurement.durations, skipped: r.measurement.skipped } } : {}),
    memoryMb: r.options.memoryMb ?? null,
    prices: Object.fromEntries(
      CLOUDS.map((c) => [c, { region: r.options.regions[c] ?? DEFAULT_REGIONS[c], asOf: r.tables[c].asOf, origin: r.tables[c].origin }]),
    ),
    workload: r.now.workload,
    container: DEFAULT_SIZING,
    clouds: Object.fromEntries(
      CLOUDS.map((c) => [
        c,
        { functions: r.now.clouds[c].functions, containers: r.now.clouds[c].containers, breakEven: r.breakEvens.find((b) => b.cloud === c) },
      ]),
    ),
    chart: r.chartPath,
  };
}

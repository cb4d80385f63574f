import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli.js';

function io(cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { cwd, env: {}, output: { line: (t: string) => out.push(t), error: (t: string) => err.push(t) } } };
}

const SHOP = ['cost', 'examples/shop/app.ts', '--rps', '50', '--duration-ms', '120', '--memory-mb', '512'];

describe('faasport cost examples/shop/app.ts --rps 50 --duration-ms 120 --memory-mb 512', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-cost-'));
  const chart = join(dir, 'shop.svg');
  const run = io();
  let code: number;
  let text: string;

  beforeAll(async () => {
    code = await main([...SHOP, '--chart', chart], run.io);
    text = run.out.join('\n');
  }, 60_000);

  it('prints a per-cloud table of both monthly totals and the break-even', () => {
    expect(run.err).toEqual([]);
    expect(code).toBe(0);
    expect(text).toMatch(/^faasport cost: app "shop" at 50 rps \(131,400,000 HTTP requests a month\), 120 ms per invocation, 512 MB$/m);
    expect(text).toMatch(/^cloud\s+functions \/ month\s+containers \/ month\s+containers cheaper from$/m);
    for (const cloud of ['aws', 'azure', 'gcp']) {
      expect(text).toMatch(
        new RegExp(`^${cloud}\\s+\\$[\\d,]+\\.\\d\\d.*\\$[\\d,]+\\.\\d\\d.*(\\d[\\d.,]* rps \\([\\d,]+ requests/month\\)|never below 10,000 rps)$`, 'm'),
      );
    }
    // What the app uses, read from its definition: two routes, a queue, a topic, a schedule, an event function.
    expect(text).toMatch(
      /uses: http hello, placeOrder · queue orders \(65,700,000 messages, 1 consumer\) · topic shipped \(65,700,000 messages, 1 consumer\) · schedule nightlyReport \(31 runs\) · event onEvent \(0\)/,
    );
    expect(text).toMatch(/prices: aws us-east-1 as of \d{4}-\d{2}-\d{2} \(src\/cost\/prices\/aws\.json\)/);
  });

  it('itemises each estimate so it can be checked against the vendor calculator', () => {
    expect(text).toMatch(/aws as functions: Lambda \+ API Gateway \+ SQS \+ SNS \+ EventBridge/);
    // 131.4M requests shared by 2 routes; placeOrder's 65.7M orders fan out to fulfil, then shipped; plus 31 nightly runs.
    expect(text).toMatch(/Lambda requests\s+262,800,031 requests\s+− 1,000,000 free\s+× \$0\.2 per 1M\s+\$52\.36/);
    expect(text).toMatch(/API Gateway HTTP API requests\s+131,400,000 requests\s+× \$1 per 1M\s+\$131\.40/);
    expect(text).toMatch(/gcp as containers: Cloud Run \(instance-based\) \+ Pub\/Sub \+ Cloud Scheduler/);
    expect(text).toMatch(/azure as containers: Container Apps \+ Storage Queues/);
    // 65.7M orders + 65.7M shipped deliveries, 3 operations each (put, get, delete).
    expect(text).toMatch(/Storage Queues operations\s+394,200,000 operations\s+× \$0\.004 per 10,000\s+\$157\.68/);
    // Flex Consumption bills busy instance time: 131.4M HTTP runs + 131.4M queue runs of 120 ms on 512 MB instances.
    expect(text).toMatch(/Functions Flex Consumption on-demand execution time\s+15,768,016 GB-s\s+− 100,000 free\s+× \$0\.000026\s+\$407\.37/);
  });

  it('writes the chart where --chart says, prints its path, and the file is well-formed SVG with a line per cloud and model', () => {
    expect(text).toMatch(new RegExp(`^chart: ${chart.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    expect(existsSync(chart)).toBe(true);
    const svg = readFileSync(chart, 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as {
      svg: { xmlns: string; polyline: { 'data-series': string; points: string }[]; g: { 'data-marker': string }[] };
    };
    expect(doc.svg.xmlns).toBe('http://www.w3.org/2000/svg');
    const series = doc.svg.polyline.map((p) => p['data-series']);
    expect(series).toEqual(['aws-functions', 'aws-containers', 'azure-functions', 'azure-containers', 'gcp-functions', 'gcp-containers']);
    for (const line of doc.svg.polyline) expect(line.points.split(' ').length).toBe(61);
    expect([doc.svg.g].flat().map((g) => g['data-marker'])).toContain('given: 50 rps');
  });

  it('--json carries the same numbers for machines, and each total is the sum of its lines', async () => {
    const json = io();
    expect(await main([...SHOP, '--chart', join(dir, 'json.svg'), '--json'], json.io)).toBe(0);
    const report = JSON.parse(json.out.join('\n')) as {
      requestsPerMonth: number;
      clouds: Record<
        string,
        {
          functions: { totalUsd: number; items: { usd: number | null; item: string; service: string; quantity: number }[] };
          containers: { totalUsd: number };
          breakEven: { rps: number | null; functionsUsd: number; containersUsd: number };
        }
      >;
    };
    expect(report.requestsPerMonth).toBe(131_400_000);
    for (const cloud of ['aws', 'azure', 'gcp']) {
      const c = report.clouds[cloud]!;
      const sum = c.functions.items.reduce((s, i) => s + (i.usd ?? 0), 0);
      expect(c.functions.totalUsd).toBeCloseTo(sum, 2);
      expect(text).toContain(`$${c.functions.totalUsd.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      if (c.breakEven.rps !== null) expect(c.breakEven.containersUsd).toBeLessThan(c.breakEven.functionsUsd);
    }
    expect(report.clouds.aws!.functions.items.find((i) => i.service === 'Lambda' && i.item === 'requests')!.quantity).toBe(262_800_031);
  }, 60_000);
});

describe('faasport cost --measure and --help', () => {
  it('--measure times the functions it can run locally and says the figures are an estimate', async () => {
    const c = io();
    const chart = join(mkdtempSync(join(tmpdir(), 'faasport-cost-measure-')), 'm.svg');
    expect(await main(['cost', 'examples/shop/app.ts', '--rps', '5', '--measure', '--chart', chart], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/durations measured locally \(an estimate\): hello \d+ ms, placeOrder \d+ ms, nightlyReport \d+ ms; 100 ms for the rest/);
    expect(text).toMatch(/note: fulfil not measured: queue consumers need a real message; --duration-ms applies/);
  }, 60_000);

  it('--help lists every flag', async () => {
    const c = io();
    expect(await main(['cost', '--help'], c.io)).toBe(0);
    for (const flag of [
      '--requests-per-month',
      '--rps',
      '--duration-ms',
      '--memory-mb',
      '--messages-per-month',
      '--region',
      '--prices',
      '--measure',
      '--chart',
      '--json',
    ]) {
      expect(c.out.join('\n')).toContain(flag);
    }
  });
});

describe('faasport cost: bad input gets a typed error naming the flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-cost-bad-'));
  writeFileSync(join(dir, 'bad-prices.json'), JSON.stringify({ aws: { 'lambda.gbSecond': { value: -1 } } }));
  it.each([
    [['--rps', '-5'], /--rps must be a number from 0 to 1,000,000, got "-5"/],
    [['--rps', 'lots'], /--rps must be a number/],
    [['--rps', '5', '--requests-per-month', '1000'], /--rps and --requests-per-month both given; pass one/],
    [['--requests-per-month', '-1'], /--requests-per-month must be a number from 0/],
    [['--rps=-0.5'], /--rps must be a number from 0 to 1,000,000, got "-0.5"/],
    [['--duration-ms', '0'], /--duration-ms must be a number from 1 to 900,000/],
    [['--memory-mb', '64'], /--memory-mb must be a number from 128/],
    [['--messages-per-month', 'orders=many'], /--messages-per-month orders must be a number/],
    [['--messages-per-month', 'invoices=10'], /app "shop" has no queue, topic or event function named "invoices"; it has orders, shipped, onEvent/],
    [['--region', 'mars-1'], /--region: no price table covers "mars-1" \(aws: us-east-1; azure: eastus, centralus; gcp: us-central1/],
    [['--region', 'aws=eu-west-9'], /aws has no price table for "eu-west-9"/],
    [['--region', 'ibm=us-south'], /"ibm" is not a cloud/],
    [['--prices', join(dir, 'bad-prices.json')], /--prices: .*bad-prices\.json: aws\."lambda\.gbSecond"\.value must be a non-negative number, got -1/],
    [['--prices', join(dir, 'missing.json')], /--prices: cannot read/],
    [['--chart', join(dir, 'no-such-folder', 'c.svg')], /--chart: cannot write .*no-such-folder.*; pass a path in a folder that exists/],
  ])('%j', async (flags, message) => {
    const c = io(dir);
    expect(await main(['cost', join(process.cwd(), 'examples/shop/app.ts'), ...flags], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(message);
    expect(c.err.join('\n')).toMatch(/\[CONFIG_INVALID\]$/);
    expect(c.out).toEqual([]);
  });

  it('a missing app file is named', async () => {
    const c = io(dir);
    expect(await main(['cost', '--rps', '1'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/missing the app file; run "faasport cost path\/to\/app\.ts --rps 10" \[CONFIG_INVALID\]/);
  });
});

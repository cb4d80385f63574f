import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevChild } from '../../../conformance/security/dev-child.js';

// The dashboard of a real `faasport dev` child (examples/shop, --persist) in a real headless
// Chromium: Debian's `chromium` package, which .ci/run installs when it is missing. Everything a
// test does goes through the page (clicks, forms, what the page shows), never the dev API directly.

const CHROMIUM = process.env.FAASPORT_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the run: test artifacts, git-ignored. */
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
const WAIT = { timeout: 15_000 };

/** Flags without which Chromium tries the network (and its connections are refused here). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The dashboard address, the banner's last line (it may arrive after "listening on"). */
const dashboardUrl = async (dev: DevChild): Promise<string> => {
  for (let i = 0; i < 200; i++) {
    const m = /dashboard: (http:\/\/\S+)/.exec(dev.output());
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`faasport dev printed no dashboard URL in 5 s:\n${dev.output()}`);
};

/** Starts `faasport dev` with `args` and Chromium side by side, and opens the dashboard once its event stream is live. */
async function openDashboard(args: string[], pageErrors?: string[]): Promise<{ dev: DevChild; browser: Browser; page: Page }> {
  const [dev, browser] = await Promise.all([startDev(args), chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (pageErrors) page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(await dashboardUrl(dev));
  await page.locator('#connection', { hasText: 'live' }).waitFor(WAIT);
  return { dev, browser, page };
}

describe('the faasport dev dashboard in a real Chromium (examples/shop)', () => {
  let persist: string;
  let dev: DevChild;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const shopArgs = (): string[] => ['examples/shop/app.ts', '--port', '0', '--no-schedules', '--persist', persist];
  const start = (): Promise<DevChild> => startDev(shopArgs());
  /** Rows of the live invocations list, as the page shows them. */
  const rows = (fn: string): Promise<{ trigger: string; outcome: string; attempt: string }[]> =>
    page.$$eval(`#invocations tr[data-function="${fn}"]`, (trs) =>
      trs.map((tr) => ({
        trigger: tr.children[1]!.textContent!.replace('cold', '').trim(),
        outcome: tr.children[2]!.textContent!,
        attempt: tr.children[3]!.textContent!,
      })),
    );
  const waitForRows = (selector: string, count: number): Promise<unknown> =>
    page.waitForFunction(([s, n]) => document.querySelectorAll(s as string).length >= (n as number), [selector, count] as const, WAIT);
  const tryIt = async (fn: string, body: string): Promise<void> => {
    await page.getByRole('tab', { name: 'Functions' }).click();
    await page.getByLabel('HTTP function', { exact: true }).selectOption(fn);
    await page.getByLabel('Request body', { exact: true }).fill(body);
    await page.getByRole('button', { name: 'Send request' }).click();
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    persist = mkdtempSync(join(tmpdir(), 'faasport-dashboard-'));
    ({ dev, browser, page } = await openDashboard(shopArgs(), pageErrors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    if (persist) rmSync(persist, { recursive: true, force: true });
  });

  it('a poison order placed through "try it" fails three times live, waits in the dead letters across a restart (--persist), and runs again when redriven', async () => {
    // Act: through the HTTP "try it" form
    const orderId = `poison-${Date.now()}`;
    await tryIt('placeOrder', JSON.stringify({ id: orderId, item: 'poison', qty: 1 }));
    // Assess: the answer, then three failed attempts arriving without a reload
    await page.locator('[data-testid="try-response-body"]', { hasText: orderId }).waitFor(WAIT);
    expect(await page.locator('.response strong').textContent()).toMatch(/^202/);
    await waitForRows('#invocations tr.error[data-function="fulfil"]', 3);
    const attempts = await rows('fulfil');
    expect(attempts.map((r) => r.attempt).sort()).toEqual(['1', '2', '3']);
    expect(attempts.every((r) => r.trigger === 'queue' && r.outcome === 'error')).toBe(true);
    expect(await rows('placeOrder')).toEqual([{ trigger: 'http', outcome: 'ok 202', attempt: '1' }]);
    await shot('1-three-failed-attempts');

    // The dead-letter view: the message, its attempts and its last error
    await page.getByRole('tab', { name: 'Queues' }).click();
    const deadLetter = page.locator('section[data-channel="orders"] [data-testid="dead-letters"] tr', { hasText: orderId });
    await deadLetter.waitFor(WAIT);
    expect(await deadLetter.locator('td').nth(1).textContent()).toBe('3');
    expect(await deadLetter.textContent()).toContain('item "poison" is not for sale');
    const messageId = await deadLetter.getAttribute('data-message-id');
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    await shot('2-dead-letter');

    // A restart with the same --persist folder: the dead letter is still there
    await dev.stop();
    dev = await start();
    await page.goto(await dashboardUrl(dev));
    await page.locator('#connection', { hasText: 'live' }).waitFor(WAIT);
    await page.getByRole('tab', { name: 'Queues' }).click();
    await deadLetter.waitFor(WAIT);
    expect(await page.locator('#invocations tr').count()).toBe(0);

    // Redrive it (the keyboard way): it runs again, attempts from one, and is dead-lettered again
    await page.getByRole('button', { name: `Redrive message ${messageId}` }).focus();
    await page.keyboard.press('Enter');
    await waitForRows('#invocations tr.error[data-function="fulfil"]', 3);
    expect((await rows('fulfil')).map((r) => r.attempt).sort()).toEqual(['1', '2', '3']);
    await page.locator('section[data-channel="orders"] .result', { hasText: `redriven ${messageId}` }).waitFor(WAIT);
    await deadLetter.waitFor(WAIT);
    expect(await page.locator('section[data-channel="orders"] [data-testid="dead-letters"] tbody tr').count()).toBe(1);
    await shot('3-redriven-and-dead-lettered-again');
    expect(pageErrors).toEqual([]);
  });

  it('runs a schedule, and follows one order across the queue hop and the topic as a trace waterfall with its log lines', async () => {
    // Act: run the schedule from its view
    await page.getByRole('tab', { name: 'Schedules' }).click();
    expect(await page.getByRole('row', { name: /nightlyReport/ }).textContent()).toContain('0 3 * * *');
    await page.getByRole('button', { name: 'Run nightlyReport now' }).click();
    await waitForRows('#invocations tr[data-function="nightlyReport"]', 1);
    expect(await rows('nightlyReport')).toEqual([{ trigger: 'schedule', outcome: 'ok', attempt: '1' }]);

    // Act: a good order, then open its subscriber's invocation
    const orderId = `good-${Date.now()}`;
    await tryIt('placeOrder', JSON.stringify({ id: orderId, item: 'book', qty: 2 }));
    await waitForRows('#invocations tr[data-function="notifyCustomer"]', 1);
    await page.locator('#invocations tr[data-function="notifyCustomer"] button').first().click();

    // Assess: one trace, three hops, each under the one that sent to it
    const dialog = page.locator('#detail');
    await dialog.locator('.waterfall li').nth(2).waitFor(WAIT);
    const spans = await dialog.locator('.waterfall li').evaluateAll((lis) =>
      lis.map((li) => ({
        fn: li.getAttribute('data-function'),
        depth: li.querySelector('.indent')!.getAttribute('data-depth'),
        ms: li.querySelector('.ms')!.textContent,
      })),
    );
    expect(spans.map((s) => [s.fn, s.depth])).toEqual([
      ['placeOrder', '0'],
      ['fulfil', '1'],
      ['notifyCustomer', '2'],
    ]);
    expect(await dialog.locator('#detail-logs').textContent()).toContain(`customer notified {"orderId":"${orderId}"}`);
    await page.screenshot({ path: join(ARTIFACTS, '4-trace-waterfall.png') });

    // The span of the consumer opens its own log lines
    await dialog.getByRole('button', { name: /^fulfil \(queue\) ok/ }).click();
    await dialog.locator('#detail-logs', { hasText: 'order fulfilled' }).waitFor(WAIT);
    await page.keyboard.press('Escape');
    expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);

    // The filter: errors of fulfil only
    await page.getByLabel('Show outcome').selectOption('error');
    await page.getByLabel('Show function').selectOption('placeOrder');
    expect(await page.locator('#invocations tr').count()).toBe(0);
    await page.getByLabel('Show function').selectOption('fulfil');
    expect(await page.locator('#invocations tr').count()).toBe(3);
    await page.getByLabel('Show function').selectOption('');
    await page.getByLabel('Show outcome').selectOption('');
    expect(pageErrors).toEqual([]);
  });

  it('is readable on a narrow window, reachable by keyboard, and every control has a label', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('tab', { name: 'Queues' }).click();
    const { overflow, widest } = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      widest: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth)
        .slice(0, 5)
        .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}px`),
    }));
    expect(overflow, `wider than the window: ${widest.join(', ')}`).toBeLessThanOrEqual(0);
    await shot('5-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Keyboard: the tabs answer the arrow keys
    await page.getByRole('tab', { name: 'Queues' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Topics' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('publish-shipped');

    // Labels: in every view, no field without a label and no button without a name
    const unlabelled: string[] = [];
    for (const view of ['Functions', 'Queues', 'Topics', 'Schedules', 'Events']) {
      await page.getByRole('tab', { name: view }).click();
      unlabelled.push(
        ...(await page.evaluate(() =>
          [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) =>
              el instanceof HTMLButtonElement
                ? (el.textContent ?? '').trim() === '' && !el.getAttribute('aria-label')
                : (el as HTMLInputElement).labels?.length === 0,
            )
            .map((el) => el.outerHTML.slice(0, 80)),
        )),
      );
    }
    expect(unlabelled).toEqual([]);
  });
});

// examples/shop's schedule sends nothing, so the schedule's own trace is followed in an app whose
// schedule enqueues: schedule → queue → consumer, one trace.
describe('the dashboard follows a schedule run across its queue hop (a real Chromium)', () => {
  let dir: string;
  let dev: DevChild;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'faasport-dashboard-schedule-'));
    const core = JSON.stringify(fileURLToPath(new URL('../../../src/index.ts', import.meta.url)));
    writeFileSync(
      join(dir, 'app.ts'),
      `import { createApp } from ${core};
export const app = createApp('digest');
const digests = app.queue<{ day: string }>('digests');
app.schedule('dailyDigest', { cron: '0 6 * * *', sends: [digests] }, async (tick) => {
  await digests.send({ day: tick.scheduledTime.toISOString().slice(0, 10) });
});
digests.consume('mailDigest', (msg, ctx) => ctx.log.info('digest mailed', { day: msg.body.day }));
`,
    );
    ({ dev, browser, page } = await openDashboard([join(dir, 'app.ts'), '--port', '0', '--no-schedules']));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the schedule from its view; the consumer it sent to opens a waterfall with the schedule above it and its own log line', async () => {
    await page.getByRole('tab', { name: 'Schedules' }).click();
    await page.getByRole('button', { name: 'Run dailyDigest now' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#invocations tr[data-function="mailDigest"]').length >= 1, undefined, WAIT);
    await page.locator('#invocations tr[data-function="mailDigest"] button').first().click();
    const dialog = page.locator('#detail');
    await dialog.locator('.waterfall li').nth(1).waitFor(WAIT);
    const spans = await dialog
      .locator('.waterfall li')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-function'), li.querySelector('.indent')!.getAttribute('data-depth')]));
    expect(spans).toEqual([
      ['dailyDigest', '0'],
      ['mailDigest', '1'],
    ]);
    expect(await dialog.locator('#detail-logs').textContent()).toContain('digest mailed');
    await page.screenshot({ path: join(ARTIFACTS, '6-schedule-trace.png') });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from 'faasport';
import { DEV_API_ROUTES } from './dev-api.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';

let runtime: LocalRuntime | undefined;
afterEach(() => runtime?.stop());

describe('the dev API routes faasport dev lists', () => {
  it('every listed route is served (none answers "no dev API route")', async () => {
    // Prepare
    const app = createApp('listed');
    const q = app.queue('jobs');
    q.consume('work', async () => {});
    app.topic('news').subscribe('read', async () => {});
    app.schedule('tick', { every: '1h' }, async () => {});
    runtime = createLocalRuntime(app, { logSink: () => {} });
    const names: Record<string, string> = { '<queue>': 'jobs', '<topic>': 'news', '<schedule>': 'tick', '<subscriber>': 'read' };
    const bodies: Record<string, string> = { events: JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't' }) };
    // Act
    const answers = await Promise.all(
      DEV_API_ROUTES.map(async (line) => {
        const [method, template] = line.split(/\s+/) as [string, string];
        const path = template.replace(/\[.*$/, '').replace(/<[a-z]+>/g, (n) => names[n]!);
        const init =
          method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: bodies[path.split('/').pop()!] ?? '{"x":1}' } : { method };
        const res = await runtime!.fetch(new Request(`http://localhost${path}`, init));
        return { line, status: res.status, body: await res.text() };
      }),
    );
    // Assess
    expect(answers).toHaveLength(12);
    for (const a of answers) {
      expect(a.body, a.line).not.toMatch(/no dev API route/);
      expect(a.status, `${a.line}: ${a.body}`).toBeLessThan(300);
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { CloudEvent, Outcome } from '../../../src/index.js';
import { createControlApi } from './control-api.js';

const TOKEN = 'unit-test-token';

/** `token: null`: the server has no FAASPORT_CONTROL_TOKEN. */
function api(notReady: string[] = [], token: string | null = TOKEN) {
  const ran: { name: string; at?: Date }[] = [];
  const events: CloudEvent[] = [];
  const handler = createControlApi({
    notReady: () => notReady,
    token: token ?? undefined,
    runSchedule: async (name, at): Promise<Outcome> => {
      ran.push({ name, ...(at ? { at } : {}) });
      return name === 'failing' ? { ok: false, error: new Error('report failed') } : { ok: true };
    },
    deliverEvent: async (event) => {
      events.push(event);
      return [];
    },
  });
  return { handler, ran, events };
}

const post = (path: string, headers: Record<string, string> = {}, body?: unknown) =>
  new Request(`http://container${path}`, { method: 'POST', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

describe('createControlApi', () => {
  it('leaves every path outside /_faasport/ to the app', async () => {
    expect(await api().handler(new Request('http://container/healthz'))).toBeUndefined();
  });

  it('answers live always, and ready only with no reasons against it', async () => {
    expect((await api(['consumer "fulfil" is not connected']).handler(new Request('http://container/_faasport/healthz')))!.status).toBe(200);
    const notReady = await api(['consumer "fulfil" is not connected']).handler(new Request('http://container/_faasport/readyz'));
    expect(notReady!.status).toBe(503);
    expect(await notReady!.json()).toEqual({ status: 'not ready', reasons: ['consumer "fulfil" is not connected'] });
    expect((await api().handler(new Request('http://container/_faasport/readyz')))!.status).toBe(200);
  });

  it.each([
    ['no token configured', null, { authorization: `Bearer ${TOKEN}` }, 403],
    ['no credentials', TOKEN, {}, 401],
    ['a wrong token of the same length', TOKEN, { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` }, 401],
    ['a longer token', TOKEN, { authorization: `Bearer ${TOKEN}x` }, 401],
  ])('refuses a schedule run with %s', async (_what, token, headers, status) => {
    const { handler, ran } = api([], token);
    expect((await handler(post('/_faasport/schedules/nightly', headers)))!.status).toBe(status);
    expect(ran).toEqual([]);
  });

  it('runs a schedule for the token, with an optional scheduled time, and answers 500 when it fails', async () => {
    const { handler, ran } = api();
    expect((await handler(post('/_faasport/schedules/nightly', { 'x-faasport-control-token': TOKEN })))!.status).toBe(200);
    expect((await handler(post('/_faasport/schedules/nightly', { authorization: `Bearer ${TOKEN}` }, { scheduledTime: '2026-01-01T03:00:00Z' })))!.status).toBe(200);
    expect((await handler(post('/_faasport/schedules/nightly', { authorization: `Bearer ${TOKEN}` }, { scheduledTime: 'yesterday' })))!.status).toBe(400);
    expect((await handler(post('/_faasport/schedules/failing', { authorization: `Bearer ${TOKEN}` })))!.status).toBe(500);
    expect(ran.map((r) => [r.name, r.at?.toISOString()])).toEqual([
      ['nightly', undefined],
      ['nightly', '2026-01-01T03:00:00.000Z'],
      ['failing', undefined],
    ]);
  });

  it('delivers a structured CloudEvent and refuses one that is not', async () => {
    const { handler, events } = api();
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await handler(post('/_faasport/events', auth, { specversion: '1.0', id: 'e1', source: 's', type: 't' })))!.status).toBe(200);
    expect((await handler(post('/_faasport/events', auth, { id: 'e2' })))!.status).toBe(400);
    expect(events.map((e) => e.id)).toEqual(['e1']);
  });

  it('answers 404 for anything else under /_faasport/ (the dev API is not served)', async () => {
    expect((await api().handler(new Request('http://container/_faasport/queues')))!.status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import type { CloudEvent, Outcome } from 'faasport';
import { createControlApi } from './control-api.js';

const TOKEN = 'unit-test-token';

/** `token: null`: the server has no FAASPORT_CONTROL_TOKEN. */
function api(notReady: string[] = [], token: string | null = TOKEN, production = false) {
  const ran: { name: string; at?: Date }[] = [];
  const events: CloudEvent[] = [];
  const handler = createControlApi({
    notReady: () => notReady,
    token: token ?? undefined,
    production,
    runSchedule: async (name, at): Promise<Outcome> => {
      ran.push({ name, ...(at ? { at } : {}) });
      if (name === 'throws') throw new Error('db password rejected at 10.0.0.7');
      return name === 'failing' ? { ok: false, error: new Error('report failed: db password rejected') } : { ok: true };
    },
    deliverEvent: async (event) => {
      events.push(event);
      return event.type === 'fails' ? ['onEvent'] : [];
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
    ["the token in the dev server's header instead of the control header", TOKEN, { 'x-faasport-token': TOKEN }, 401],
  ])('refuses a schedule run with %s', async (_what, token, headers, status) => {
    const { handler, ran } = api([], token);
    expect((await handler(post('/_faasport/schedules/nightly/run', headers)))!.status).toBe(status);
    expect(ran).toEqual([]);
  });

  it('runs a schedule for the token, with an optional scheduled time, and answers 500 when it fails', async () => {
    const { handler, ran } = api();
    expect((await handler(post('/_faasport/schedules/nightly/run', { 'x-faasport-control-token': TOKEN })))!.status).toBe(200);
    expect(
      (await handler(post('/_faasport/schedules/nightly/run', { authorization: `Bearer ${TOKEN}` }, { scheduledTime: '2026-01-01T03:00:00Z' })))!.status,
    ).toBe(200);
    expect((await handler(post('/_faasport/schedules/nightly/run', { authorization: `Bearer ${TOKEN}` }, { scheduledTime: 'yesterday' })))!.status).toBe(400);
    expect((await handler(post('/_faasport/schedules/failing/run', { authorization: `Bearer ${TOKEN}` })))!.status).toBe(500);
    expect(ran.map((r) => [r.name, r.at?.toISOString()])).toEqual([
      ['nightly', undefined],
      ['nightly', '2026-01-01T03:00:00.000Z'],
      ['failing', undefined],
    ]);
  });

  it("serves a schedule only on the dev API's path, /_faasport/schedules/<name>/run, answering as it does", async () => {
    const { handler, ran } = api();
    const auth = { authorization: `Bearer ${TOKEN}` };
    const ok = (await handler(post('/_faasport/schedules/nightly/run', auth)))!;
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true }]);
    expect((await handler(post('/_faasport/schedules/nightly', auth)))!.status).toBe(404);
    expect(ran.map((r) => r.name)).toEqual(['nightly']);
  });

  it.each([
    [false, 'report failed: db password rejected', 'db password rejected at 10.0.0.7'],
    [true, 'Internal Server Error', 'Internal Server Error'],
  ])('with production=%s, a failure answers 500 saying %j (a throw: %j), never a stack', async (production, failedMessage, thrownMessage) => {
    const { handler } = api([], TOKEN, production);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const failed = (await handler(post('/_faasport/schedules/failing/run', auth)))!;
    expect([failed.status, await failed.json()]).toEqual([500, { ok: false, error: failedMessage }]);
    const thrown = (await handler(post('/_faasport/schedules/throws/run', auth)))!;
    const body = await thrown.json();
    expect([thrown.status, body.error, 'stack' in body]).toEqual([500, thrownMessage, !production]);
    const event = (await handler(post('/_faasport/events', auth, { specversion: '1.0', id: 'e9', source: 's', type: 'fails' })))!;
    expect([event.status, (await event.json()).error]).toEqual([500, production ? 'event functions failed' : 'event functions failed: onEvent']);
  });

  it('delivers a binary-mode CloudEvent (what Eventarc sends): attributes from ce-* headers, the JSON body as data', async () => {
    const { handler, events } = api();
    const headers = {
      authorization: `Bearer ${TOKEN}`,
      'ce-specversion': '1.0',
      'ce-id': 'b1',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/b',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-subject': 'objects/a.txt',
      'content-type': 'application/json',
    };
    expect((await handler(post('/_faasport/events', headers, { name: 'a.txt' })))!.status).toBe(200);
    expect({ ...events[0] }).toEqual({
      specversion: '1.0',
      id: 'b1',
      source: '//storage.googleapis.com/projects/_/buckets/b',
      type: 'google.cloud.storage.object.v1.finalized',
      subject: 'objects/a.txt',
      datacontenttype: 'application/json',
      data: { name: 'a.txt' },
    });
    const broken = (await handler(new Request('http://container/_faasport/events', { method: 'POST', headers, body: '{not json' })))!;
    expect([broken.status, (await broken.json()).code]).toEqual([400, 'EVENT_INVALID']);
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

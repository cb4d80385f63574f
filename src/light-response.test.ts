import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { installLightResponse, lightResponseClass, lightResponseParts, standardResponse } from './light-response.js';

// The class is tested as such; installing it as the global is tested apart (once for this file,
// the standard global comes back afterwards).
let Standard: typeof Response;
let Light: typeof Response;
let installed = false;
beforeAll(() => {
  Standard = globalThis.Response;
  Light = lightResponseClass();
  installed = installLightResponse();
});
afterAll(() => {
  globalThis.Response = Standard;
});

/** The same arguments through the light and the standard constructor. */
const both = (body?: BodyInit | null, init?: ResponseInit) => [new Light(body, init), new Standard(body, init)] as const;

describe('the light Response', () => {
  test('is installed on this Node (the probe passes) unless FAASPORT_LIGHT_RESPONSE=0', () => {
    expect(installed).toBe(process.env.FAASPORT_LIGHT_RESPONSE !== '0');
    expect(globalThis.Response).toBe(installed ? Light : Standard);
    expect(standardResponse()).toBe(Standard);
  });

  test.each([
    ['a string', 'hello', undefined],
    ['JSON with a status and headers', '{"a":1}', { status: 201, headers: { 'Content-Type': 'application/json', 'X-Id': '7' } }],
    ['bytes', new Uint8Array([0, 1, 255]), { headers: { 'set-cookie': 'a=1; Path=/' } }],
    ['no body', null, { status: 404 }],
  ] as [string, BodyInit | null, ResponseInit | undefined][])('%s: reads back as the standard one does', async (_name, body, init) => {
    const [light, standard] = both(body, init);
    expect(light.status).toBe(standard.status);
    expect(light.ok).toBe(standard.ok);
    expect(light.statusText).toBe(standard.statusText);
    expect([...light.headers]).toEqual([...standard.headers]);
    expect(light.headers.getSetCookie()).toEqual(standard.headers.getSetCookie());
    expect(light.type).toBe(standard.type);
    expect(light.bodyUsed).toBe(false);
    expect(new Uint8Array(await light.arrayBuffer())).toEqual(new Uint8Array(await standard.arrayBuffer()));
    expect(light.bodyUsed).toBe(standard.bodyUsed);
  });

  test('Response.json: parts without a Headers or a stream, content-type as the standard sets it', async () => {
    const res = Light.json({ hello: 'world' }, { status: 202, headers: { 'set-cookie': 'seen=1', 'x-a': 'b' } });
    expect(lightResponseParts(res)).toEqual({
      status: 202,
      headers: { 'x-a': 'b', 'content-type': 'application/json' },
      cookies: ['seen=1'],
      body: '{"hello":"world"}',
    });
    expect(await res.json()).toEqual({ hello: 'world' });
    // Read: no longer a light answer an encoder may take the parts of.
    expect(lightResponseParts(res)).toBeUndefined();
    expect(() => Light.json(undefined)).toThrow(TypeError);
  });

  test('is a Response to instanceof, Object.prototype.toString, clone() and the standard constructor', async () => {
    const light = new Light('x', { status: 203 });
    expect(light).toBeInstanceOf(Light);
    expect(light).toBeInstanceOf(Standard);
    expect(new Standard('y')).toBeInstanceOf(Light);
    expect({}).not.toBeInstanceOf(Light);
    expect(Object.prototype.toString.call(light)).toBe('[object Response]');
    const copy = light.clone();
    expect(copy.status).toBe(203);
    expect(await copy.text()).toBe('x');
    expect(await new Standard(light.body, light).text()).toBe('x');
    // A standard Response read through the light prototype's members answers for itself.
    const standard = new Standard('z', { status: 202 });
    expect(Object.getOwnPropertyDescriptor(Light.prototype, 'status')!.get!.call(standard)).toBe(202);
    expect(Object.getOwnPropertyDescriptor(Light.prototype, 'headers')!.get!.call(standard)).toBe(standard.headers);
    expect(await (Light.prototype.text as () => Promise<string>).call(standard)).toBe('z');
  });

  test('headers changed after the response was made are the ones answered, on the parts and on the real one', async () => {
    const res = Light.json({ a: 1 });
    res.headers.set('x-late', '1');
    res.headers.append('set-cookie', 'a=1');
    res.headers.append('set-cookie', 'b=2');
    expect(lightResponseParts(res)).toMatchObject({ headers: { 'content-type': 'application/json', 'x-late': '1' }, cookies: ['a=1', 'b=2'] });
    const copy = res.clone();
    expect(copy.headers.get('x-late')).toBe('1');
    expect(copy.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  test.each([
    ['a status out of range', 'x', { status: 99 }],
    ['a body on 204', 'x', { status: 204 }],
    ['a header name the Fetch API refuses', 'x', { headers: { 'bad name': '1' } }],
    ['a header value with a line break', 'x', { headers: { 'x-a': 'a\r\nb' } }],
    ['a statusText with a line break', 'x', { statusText: 'a\nb' }],
  ] as [string, string, ResponseInit][])('%s throws where the standard constructor throws, with its error', (_name, body, init) => {
    let expected: unknown;
    try {
      new Standard(body, init);
    } catch (err) {
      expected = err;
    }
    expect(expected).toBeInstanceOf(Error);
    expect(() => new Light(body, init)).toThrow((expected as Error).constructor as new () => Error);
  });

  test.each([
    ['a stream body', () => new Light(new Blob(['s']).stream())],
    ['a Headers init', () => new Light('h', { headers: new Headers({ a: '1' }) })],
    ['a value the standard trims', () => new Light('t', { headers: { a: ' 1 ' } })],
    ['the same name in two cases', () => new Light('c', { headers: { a: '1', A: '2' } })],
    ['a statusText', () => new Light('s', { status: 200, statusText: 'Fine' })],
  ])('%s: the standard Response is made at once, no parts to take', async (_name, make) => {
    const res = make();
    expect(lightResponseParts(res)).toBeUndefined();
    expect(res).toBeInstanceOf(Light);
    expect(typeof (await res.text())).toBe('string');
  });

  test('FAASPORT_LIGHT_RESPONSE=0 keeps the standard Response', async () => {
    const before = globalThis.Response;
    globalThis.Response = Standard;
    vi.stubEnv('FAASPORT_LIGHT_RESPONSE', '0');
    vi.resetModules();
    try {
      const fresh = await import('./light-response.js');
      expect(fresh.installLightResponse()).toBe(false);
      expect(globalThis.Response).toBe(Standard);
      expect(fresh.lightResponseParts(new Response('x'))).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
      globalThis.Response = before;
    }
  });
});

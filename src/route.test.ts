import { describe, expect, it } from 'vitest';
import { compareSpecificity, compileRoute } from './route.js';

describe('compileRoute', () => {
  it.each([
    ['/hello/:name', '/hello/ada', { name: 'ada' }],
    ['/hello/:name', '/hello/ada/', { name: 'ada' }],
    ['/hello/:name', '/hello/ada%20l', { name: 'ada l' }],
    ['/hello/:name', '/hello/%E0%A4%A', { name: '%E0%A4%A' }],
    ['/a/:x/b/:y', '/a/1/b/2', { x: '1', y: '2' }],
    ['/files/*', '/files/a/b/c.txt', { '*': 'a/b/c.txt' }],
    ['/static', '/static', {}],
    ['/', '/', {}],
  ])('%s matches %s', (route, path, params) => {
    expect(compileRoute(route, 'f').match(path)).toEqual(params);
  });

  it.each([
    ['/hello/:name', '/hello'],
    ['/hello/:name', '/hello/a/b'],
    ['/static', '/static/x'],
    ['/a.b', '/aXb'],
  ])('%s does not match %s', (route, path) => {
    expect(compileRoute(route, 'f').match(path)).toBeUndefined();
  });

  it('orders static segments before params before wildcards', () => {
    const routes = ['/files/*', '/files/:id', '/files/latest'].map((r) => compileRoute(r, 'f'));
    expect(routes.sort(compareSpecificity).map((r) => r.route)).toEqual(['/files/latest', '/files/:id', '/files/*']);
  });
});

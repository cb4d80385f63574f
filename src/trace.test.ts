import { describe, expect, it } from 'vitest';
import { createTraceContext, parseCloudTraceContext, parseTraceparent, parseXRayHeader } from './trace.js';

describe('trace context', () => {
  it('parses a valid traceparent', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
  });

  it.each([
    [undefined],
    [''],
    ['garbage'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'],
  ])('rejects %j', (header) => expect(parseTraceparent(header)).toBeUndefined());

  it('maps an X-Ray header to W3C ids', () => {
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      parentSpanId: '53995c3f42cd8ad8',
      traceFlags: 1,
    });
    expect(parseXRayHeader('Root=nonsense')).toBeUndefined();
  });

  it('maps X-Cloud-Trace-Context (decimal span id) to W3C ids', () => {
    expect(parseCloudTraceContext('105445aa7843bc8bf206b12000100000/1;o=1')).toEqual({
      traceId: '105445aa7843bc8bf206b12000100000',
      parentSpanId: '0000000000000001',
      traceFlags: 1,
    });
  });

  it('creates a child span in the parent trace, or a new trace', () => {
    const parent = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')!;
    const child = createTraceContext(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.parentSpanId).toBe('00f067aa0ba902b7');
    expect(child.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(createTraceContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

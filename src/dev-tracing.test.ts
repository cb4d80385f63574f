import { describe, expect, it } from 'vitest';
import { startDevTracing, tracesUrl } from './dev-tracing.js';

describe('faasport dev tracing from the OTEL_* variables', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, 'http://127.0.0.1:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example/otlp/' }, 'https://collector.example/otlp/v1/traces'],
    // The signal's own variable is used as it is, and wins.
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }, 'http://b:4318/custom'],
  ])('%j → %s', (env, url) => {
    expect(tracesUrl(env)).toBe(url);
  });

  it('does nothing without an endpoint, or when the SDK or the traces exporter is turned off', async () => {
    expect(await startDevTracing({}, 'shop')).toBeUndefined();
    expect(await startDevTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, 'shop')).toBeUndefined();
    expect(await startDevTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, 'shop')).toBeUndefined();
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      /OTEL_EXPORTER_OTLP_PROTOCOL "grpc" is not supported; use http\/protobuf or http\/json/,
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4318' },
      /OTEL_EXPORTER_OTLP_ENDPOINT "127\.0\.0\.1:4318" is not an http\(s\) URL; set it like http:\/\/127\.0\.0\.1:4318/,
    ],
  ])('refuses %j with CONFIG_INVALID naming the fix', async (env, message) => {
    await expect(startDevTracing(env, 'shop')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) });
  });
});

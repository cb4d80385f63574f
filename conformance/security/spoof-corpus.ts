/** Where a spoofed value would show if a runtime believed it. */
export const SPOOFED_HOST = 'evil.example';
export const SPOOFED_IPS = ['203.0.113.66', '198.51.100.7', '192.0.2.99'];

/**
 * Headers any client can send that some servers take as the client's address, host, scheme,
 * path or method. None of them may change what the handler sees unless a trusted proxy is
 * configured (no built-in adapter has one configured).
 */
export const SPOOF_CORPUS: readonly { readonly name: string; readonly headers: Readonly<Record<string, string>> }[] = [
  { name: 'X-Forwarded-Host', headers: { 'x-forwarded-host': SPOOFED_HOST } },
  { name: 'X-Forwarded-Host with a port', headers: { 'x-forwarded-host': `${SPOOFED_HOST}:8443` } },
  { name: 'Forwarded (RFC 7239)', headers: { forwarded: `for=${SPOOFED_IPS[0]};host=${SPOOFED_HOST};proto=https` } },
  { name: 'Forwarded with quoted IPv6', headers: { forwarded: 'for="[2001:db8::66]";host="evil.example"' } },
  { name: 'X-Forwarded-For', headers: { 'x-forwarded-for': SPOOFED_IPS[0]! } },
  { name: 'X-Forwarded-For chain', headers: { 'x-forwarded-for': `${SPOOFED_IPS[0]}, ${SPOOFED_IPS[1]}` } },
  { name: 'X-Real-IP', headers: { 'x-real-ip': SPOOFED_IPS[0]! } },
  { name: 'True-Client-IP', headers: { 'true-client-ip': SPOOFED_IPS[0]! } },
  { name: 'CF-Connecting-IP', headers: { 'cf-connecting-ip': SPOOFED_IPS[0]! } },
  { name: 'Fastly-Client-IP', headers: { 'fastly-client-ip': SPOOFED_IPS[0]! } },
  { name: 'X-Client-IP', headers: { 'x-client-ip': SPOOFED_IPS[0]! } },
  { name: 'X-Cluster-Client-IP', headers: { 'x-cluster-client-ip': SPOOFED_IPS[0]! } },
  { name: 'X-Azure-ClientIP', headers: { 'x-azure-clientip': SPOOFED_IPS[0]!, 'x-azure-socketip': SPOOFED_IPS[1]! } },
  { name: 'X-Appengine-User-IP', headers: { 'x-appengine-user-ip': SPOOFED_IPS[0]! } },
  { name: 'X-Original-Host', headers: { 'x-original-host': SPOOFED_HOST } },
  { name: 'X-Host', headers: { 'x-host': SPOOFED_HOST } },
  { name: 'X-Forwarded-Server', headers: { 'x-forwarded-server': SPOOFED_HOST } },
  { name: 'X-Original-URL', headers: { 'x-original-url': '/internal/panel' } },
  { name: 'X-Rewrite-URL', headers: { 'x-rewrite-url': '/internal/panel' } },
  { name: 'X-Forwarded-Prefix', headers: { 'x-forwarded-prefix': '/evil' } },
  { name: 'X-HTTP-Method-Override', headers: { 'x-http-method-override': 'DELETE' } },
  { name: 'X-Method-Override', headers: { 'x-method-override': 'DELETE' } },
  { name: 'X-Forwarded-Proto with an odd scheme', headers: { 'x-forwarded-proto': 'gopher' } },
  { name: 'X-Forwarded-Port', headers: { 'x-forwarded-port': '1' } },
  { name: 'X-Forwarded-Scheme', headers: { 'x-forwarded-scheme': 'gopher', 'x-scheme': 'gopher' } },
  {
    name: 'everything at once',
    headers: {
      'x-forwarded-host': SPOOFED_HOST,
      forwarded: `for=${SPOOFED_IPS[2]};host=${SPOOFED_HOST}`,
      'x-forwarded-for': SPOOFED_IPS.join(', '),
      'x-real-ip': SPOOFED_IPS[1]!,
      'x-original-url': '/internal/panel',
      'x-http-method-override': 'DELETE',
      'x-forwarded-proto': 'gopher',
      'x-forwarded-port': '1',
    },
  },
];

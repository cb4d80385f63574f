// Calls to the dev server. When it requires its per-run token (bound beyond loopback), the URL it
// printed ends in #token=…: the fragment never reaches a server; it is kept for this tab and sent
// as a header on every call.

const KEY = 'faasport-token';
const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromUrl) {
  sessionStorage.setItem(KEY, fromUrl);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem(KEY);

function headers(extra = {}) {
  return token ? { ...extra, 'x-faasport-token': token } : extra;
}

/** A dev-API call; resolves to the parsed JSON answer, rejects with its error message. */
export async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(path, init);
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${data?.error ?? text}`);
  return data;
}

/**
 * Reads the dashboard's server-sent events. fetch, not EventSource: EventSource cannot send the
 * token header. Reconnects after a second when the stream ends (a restarted dev server).
 * @param {(event: string, data: unknown) => void} onEvent
 * @param {(state: 'live' | 'reconnecting') => void} onState
 */
export function stream(onEvent, onState) {
  const run = async () => {
    for (;;) {
      try {
        const res = await fetch('/_faasport/stream', { headers: headers({ accept: 'text/event-stream' }) });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
          }
        }
      } catch {
        /* reconnect below */
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
}

// The faasport dev dashboard: plain ES modules, no build step, nothing from the network.
// Every button calls the documented dev API (see the README), so the page does what curl can.
import { api, stream } from './api.js';
import { clock, fill, h, preview } from './dom.js';
import { drawWaterfall } from './trace.js';

const state = {
  view: 'functions',
  functions: [],
  schedules: [],
  /** Queue and subscription counts, from the stream. */
  queues: [],
  /** Per channel key: { messages, deadLetters }. */
  contents: new Map(),
  invocations: [],
  /** The last action's result per queue card: cards are redrawn as counts change, results stay. */
  results: new Map(),
};
const MAX_ROWS = 300;
const panel = document.getElementById('panel');
const $ = (id) => document.getElementById(id);

/** The dev-API path of a channel: a queue, a topic subscription (?function=), or event/<function>. */
function channelPath(channel, rest) {
  const sub = channel.key.includes('/') && !channel.key.startsWith('event/') ? `?function=${encodeURIComponent(channel.functionName)}` : '';
  return `/_faasport/queues/${encodeURIComponent(channel.queue)}/${rest}${sub}`;
}

/** A result line under a form: role=status so it is read out. */
function result() {
  return h('p', { class: 'result', role: 'status' });
}
function show(el, ok, text) {
  el.className = `result ${ok ? 'ok' : 'error'}`;
  el.textContent = text;
}
async function attempt(el, fn) {
  try {
    show(el, true, await fn());
  } catch (err) {
    show(el, false, err.message);
  }
}
/** attempt() for a queue card: the result is kept by channel and shown in the card as drawn now. */
async function attemptIn(key, fn) {
  let r;
  try {
    r = { ok: true, text: await fn() };
  } catch (err) {
    r = { ok: false, text: err.message };
  }
  state.results.set(key, r);
  const el = panel.querySelector(`section[data-channel="${CSS.escape(key)}"] .result`);
  if (el) show(el, r.ok, r.text);
}

function jsonOf(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

// ---------------------------------------------------------------- views

const views = {
  functions() {
    const http = state.functions.filter((f) => f.kind === 'http');
    return [
      h('h2', {}, 'Functions'),
      h(
        'table',
        {},
        h('caption', { class: 'sr-only' }, 'Functions and their triggers'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Trigger'))),
        h(
          'tbody',
          {},
          state.functions.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.name), h('td', {}, f.kind), h('td', { class: 'mono' }, describeTrigger(f)))),
        ),
      ),
      http.length > 0 ? tryIt(http) : h('p', { class: 'muted' }, 'No HTTP functions to try.'),
    ];
  },
  queues() {
    if (state.queues.length === 0) return [h('h2', {}, 'Queues'), h('p', { class: 'muted' }, 'No queues, topic subscriptions or event functions.')];
    return [h('h2', {}, 'Queues'), state.queues.map(queueCard)];
  },
  topics() {
    const topics = [...new Set(state.functions.filter((f) => f.kind === 'topic').map((f) => f.topic))];
    if (topics.length === 0) return [h('h2', {}, 'Topics'), h('p', { class: 'muted' }, 'No topics with subscribers.')];
    return [
      h('h2', {}, 'Topics'),
      topics.map((topic) => {
        const out = result();
        const id = `publish-${topic}`;
        const body = h('textarea', { id, rows: 4, spellcheck: 'false' }, '{\n  "hello": "world"\n}');
        return h(
          'section',
          { class: 'card', 'aria-label': `Topic ${topic}` },
          h('h3', {}, topic),
          h(
            'p',
            { class: 'muted' },
            'Subscribers: ',
            state.functions
              .filter((f) => f.kind === 'topic' && f.topic === topic)
              .map((f) => f.name)
              .join(', '),
          ),
          h(
            'form',
            {
              onsubmit: (e) => {
                e.preventDefault();
                void attempt(out, async () => {
                  const r = await api('POST', `/_faasport/topics/${encodeURIComponent(topic)}/messages`, jsonOf(body.value, 'The message'));
                  return `published ${r.id}`;
                });
              },
            },
            h('label', { for: id }, 'Message (JSON)'),
            body,
            h('button', { type: 'submit' }, `Publish to ${topic}`),
          ),
          out,
        );
      }),
    ];
  },
  schedules() {
    if (state.schedules.length === 0) return [h('h2', {}, 'Schedules'), h('p', { class: 'muted' }, 'No schedules.')];
    return [
      h('h2', {}, 'Schedules'),
      h(
        'table',
        {},
        h('caption', { class: 'sr-only' }, 'Schedules and their next run'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Schedule'),
            h('th', { scope: 'col' }, 'When'),
            h('th', { scope: 'col' }, 'Next run'),
            h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')),
          ),
        ),
        h(
          'tbody',
          {},
          state.schedules.map((s) => {
            const out = result();
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, s.name),
              h('td', { class: 'mono' }, s.cron ?? `every ${s.everyMs / 1000} s`),
              h('td', { class: 'mono' }, s.next ?? '—'),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: () =>
                      attempt(out, async () => {
                        await api('POST', `/_faasport/schedules/${encodeURIComponent(s.name)}/run`);
                        return 'ran: ok';
                      }),
                  },
                  `Run ${s.name} now`,
                ),
                out,
              ),
            );
          }),
        ),
      ),
    ];
  },
  events() {
    const fns = state.functions.filter((f) => f.kind === 'event');
    const out = result();
    const type = h('input', { id: 'event-type', value: fns.find((f) => f.type)?.type ?? 'com.example.ping', required: true });
    const source = h('input', { id: 'event-source', value: fns.find((f) => f.source)?.source ?? '/faasport/dashboard', required: true });
    const subject = h('input', { id: 'event-subject' });
    const data = h('textarea', { id: 'event-data', rows: 5, spellcheck: 'false' }, '{}');
    return [
      h('h2', {}, 'Events'),
      h('p', { class: 'muted' }, 'Event functions: ', fns.map((f) => `${f.name} (type ${f.type ?? 'any'}, source ${f.source ?? 'any'})`).join(', ') || 'none'),
      h(
        'form',
        {
          class: 'card',
          onsubmit: (e) => {
            e.preventDefault();
            void attempt(out, async () => {
              const event = {
                specversion: '1.0',
                id: crypto.randomUUID(),
                source: source.value,
                type: type.value,
                time: new Date().toISOString(),
                datacontenttype: 'application/json',
                data: jsonOf(data.value, 'The data'),
              };
              if (subject.value) event.subject = subject.value;
              const r = await api('POST', '/_faasport/events', event);
              return r.delivered.length > 0 ? `delivered to ${r.delivered.join(', ')}` : 'no event function matched';
            });
          },
        },
        h('h3', {}, 'Emit a CloudEvent'),
        h('label', { for: 'event-type' }, 'type'),
        type,
        h('label', { for: 'event-source' }, 'source'),
        source,
        h('label', { for: 'event-subject' }, 'subject (optional)'),
        subject,
        h('label', { for: 'event-data' }, 'data (JSON)'),
        data,
        h('button', { type: 'submit' }, 'Emit event'),
      ),
      out,
    ];
  },
};

function describeTrigger(f) {
  switch (f.kind) {
    case 'http':
      return `${f.methods === '*' ? 'ANY' : f.methods.join(',')} ${f.route}`;
    case 'queue':
      return `queue ${f.queue} (max ${f.maxAttempts} attempts${f.deadLetter ? ', dead-letter' : ''})`;
    case 'topic':
      return `topic ${f.topic}`;
    case 'schedule': {
      const next = state.schedules.find((s) => s.name === f.name)?.next;
      return `${f.cron ?? `every ${f.everyMs / 1000} s`}${next ? ` · next ${next}` : ''}`;
    }
    case 'event':
      return `type ${f.type ?? 'any'}, source ${f.source ?? 'any'}`;
    default:
      return '';
  }
}

function tryIt(http) {
  const out = h('div', { class: 'response', role: 'status', 'aria-live': 'polite' });
  const fn = h(
    'select',
    { id: 'try-function' },
    http.map((f) => h('option', { value: f.name }, `${f.name} — ${describeTrigger(f)}`)),
  );
  const method = h(
    'select',
    { id: 'try-method' },
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m)),
  );
  const path = h('input', { id: 'try-path', class: 'mono', required: true });
  const headers = h('textarea', { id: 'try-headers', rows: 2, class: 'mono', spellcheck: 'false', placeholder: 'content-type: application/json' });
  const body = h('textarea', { id: 'try-body', rows: 5, class: 'mono', spellcheck: 'false' });
  const pick = () => {
    const f = http.find((x) => x.name === fn.value);
    const m = f.methods === '*' ? 'GET' : f.methods[0];
    method.value = m;
    path.value = f.route.replace(/:([A-Za-z0-9_]+)\*?/g, (_, name) => name);
    const sendsBody = m !== 'GET' && m !== 'HEAD';
    headers.value = sendsBody ? 'content-type: application/json' : '';
    body.value = sendsBody ? '{}' : '';
  };
  fn.addEventListener('change', pick);
  pick();
  const submit = async (e) => {
    e.preventDefault();
    const init = { method: method.value, headers: {} };
    for (const line of headers.value.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) init.headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    if (method.value !== 'GET' && method.value !== 'HEAD' && body.value) init.body = body.value;
    const started = performance.now();
    try {
      const res = await fetch(path.value, init);
      const text = await res.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON: as sent */
      }
      fill(
        out,
        h('p', { class: res.ok ? 'ok' : 'error' }, h('strong', {}, `${res.status} ${res.statusText}`), ` in ${Math.round(performance.now() - started)} ms`),
        h('pre', { class: 'mono', 'aria-label': 'Response headers' }, [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')),
        h('pre', { class: 'mono', 'aria-label': 'Response body', 'data-testid': 'try-response-body' }, shown),
      );
    } catch (err) {
      fill(out, h('p', { class: 'error' }, err.message));
    }
  };
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'try-title' },
    h('h3', { id: 'try-title' }, 'Try an HTTP function'),
    h(
      'form',
      { onsubmit: submit },
      h('label', { for: 'try-function' }, 'HTTP function'),
      fn,
      h(
        'div',
        { class: 'row' },
        h('div', {}, h('label', { for: 'try-method' }, 'Method'), method),
        h('div', { class: 'grow' }, h('label', { for: 'try-path' }, 'Path'), path),
      ),
      h('label', { for: 'try-headers' }, 'Headers (one "name: value" a line)'),
      headers,
      h('label', { for: 'try-body' }, 'Request body'),
      body,
      h('button', { type: 'submit' }, 'Send request'),
    ),
    out,
  );
}

function queueCard(channel) {
  const title = channel.key === channel.queue ? channel.queue : channel.key;
  const contents = state.contents.get(channel.key) ?? { messages: [], deadLetters: [] };
  const out = result();
  const last = state.results.get(channel.key);
  if (last) show(out, last.ok, last.text);
  const isQueue =
    state.functions.some((f) => f.kind === 'queue' && f.queue === channel.key) || (channel.functionName === null && channel.key === channel.queue);
  const sendId = `send-${channel.key}`;
  const sendBody = h('textarea', { id: sendId, rows: 3, class: 'mono', spellcheck: 'false' }, '{}');
  // Visible text stays short; the accessible name says which queue.
  // The result is shown first, then the card is redrawn (keeping it): see render().
  const act = (label, fn) =>
    h(
      'button',
      { type: 'button', id: slug(`${label} ${title}`), onclick: () => attemptIn(channel.key, fn).then(() => refreshChannel(channel)) },
      label,
      h('span', { class: 'sr-only' }, ` of ${title}`),
    );
  return h(
    'section',
    { class: 'card', 'aria-label': `Queue ${title}`, 'data-channel': channel.key },
    h('h3', {}, title, channel.functionName ? h('span', { class: 'muted' }, ` → ${channel.functionName}`) : h('span', { class: 'muted' }, ' (no consumer)')),
    h(
      'dl',
      { class: 'counts' },
      [
        ['depth', channel.depth],
        ['in flight', channel.inFlight],
        ['delayed', channel.delayed],
        ['dead-lettered', channel.deadLettered],
        ['handled', channel.handled],
      ].map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { 'data-count': k }, v))),
    ),
    h(
      'div',
      { class: 'actions' },
      act('Redrive dead letters', async () => `redriven: ${(await api('POST', channelPath(channel, 'dead-letter/redrive'))).redriven.length}`),
      act('Purge messages', async () => {
        const r = await api('DELETE', channelPath(channel, 'messages'));
        return `purged ${r.purged}${r.inFlight ? `, ${r.inFlight} in flight left` : ''}`;
      }),
      act('Purge dead letters', async () => `purged ${(await api('DELETE', channelPath(channel, 'dead-letter'))).purged} dead letters`),
    ),
    out,
    isQueue
      ? h(
          'form',
          {
            class: 'inline',
            onsubmit: (e) => {
              e.preventDefault();
              void attemptIn(channel.key, async () => {
                const r = await api('POST', `/_faasport/queues/${encodeURIComponent(channel.queue)}/messages`, jsonOf(sendBody.value, 'The message'));
                return `sent ${r.id}`;
              });
            },
          },
          h('label', { for: sendId }, `Send a message to ${title} (JSON)`),
          sendBody,
          h('button', { type: 'submit' }, 'Send', h('span', { class: 'sr-only' }, ` to ${title}`)),
        )
      : null,
    h('h4', {}, `Messages (${contents.messages.length})`),
    contents.messages.length === 0
      ? h('p', { class: 'muted' }, 'None waiting.')
      : messageTable(
          contents.messages,
          'Waiting and in-flight messages',
          (m) => [
            h('td', {}, m.state),
            h('td', {}, m.attempt),
            h('td', { class: 'error-text' }, m.lastError ? `${m.lastError.name}: ${m.lastError.message}` : ''),
          ],
          ['State', 'Attempts', 'Last error'],
        ),
    h('h4', {}, `Dead letters (${contents.deadLetters.length})`),
    contents.deadLetters.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : messageTable(
          contents.deadLetters.map((d) => ({ ...d.message, envelope: d })),
          `Dead letters of ${title}`,
          (m) => [
            h('td', {}, m.envelope.attempts),
            h('td', { class: 'error-text' }, `${m.envelope.lastError.name}: ${m.envelope.lastError.message}`),
            h('td', { class: 'mono' }, clock(m.envelope.deadLetteredAt)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  id: slug(`redrive ${m.id}`),
                  onclick: () =>
                    attemptIn(channel.key, async () => {
                      await api('POST', channelPath(channel, 'dead-letter/redrive'), { ids: [m.id] });
                      return `redriven ${m.id}`;
                    }).then(() => refreshChannel(channel)),
                },
                h('span', {}, 'Redrive'),
                h('span', { class: 'sr-only' }, ` message ${m.id}`),
              ),
            ),
          ],
          ['Attempts', 'Last error', 'Dead-lettered', 'Action'],
          'dead-letters',
        ),
  );
}

/** An id from a label: re-rendered buttons keep their id, so focus stays on them. */
function slug(text) {
  return `b-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function messageTable(rows, caption, cells, heads, testid = 'messages') {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { 'data-testid': testid },
      h('caption', { class: 'sr-only' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Message'),
          h('th', { scope: 'col' }, 'Body'),
          heads.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((m) =>
          h(
            'tr',
            { 'data-message-id': m.id },
            h('th', { scope: 'row', class: 'mono', title: m.id }, m.id.slice(0, 8)),
            h('td', { class: 'mono' }, preview(m.body)),
            cells(m),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- invocations

function renderInvocations() {
  const fn = $('filter-function').value;
  const outcome = $('filter-outcome').value;
  const rows = state.invocations.filter((r) => (!fn || r.functionName === fn) && (!outcome || r.outcome === outcome));
  fill(
    $('invocations'),
    rows.slice(0, MAX_ROWS).map((r) =>
      h(
        'tr',
        { class: r.outcome, 'data-invocation': r.invocationId, 'data-function': r.functionName },
        h(
          'th',
          { scope: 'row' },
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => openDetail(r),
              'aria-label': `${r.functionName} ${r.trigger} ${r.outcome}, attempt ${r.attempt}: open log lines and trace`,
            },
            r.functionName,
          ),
        ),
        h('td', {}, r.trigger, r.coldStart ? h('span', { class: 'badge', title: 'cold start' }, 'cold') : null),
        h('td', {}, r.status ? `${r.outcome} ${r.status}` : r.outcome),
        h('td', {}, r.attempt),
        h('td', {}, r.durationMs),
        h('td', { class: 'mono', title: r.traceId }, r.traceId.slice(0, 8)),
      ),
    ),
  );
  $('invocations-empty').hidden = rows.length > 0;
  const known = new Set(state.invocations.map((r) => r.functionName));
  const select = $('filter-function');
  const have = new Set([...select.options].map((o) => o.value));
  for (const name of [...known, ...state.functions.map((f) => f.name)])
    if (!have.has(name)) {
      select.append(h('option', { value: name }, name));
      have.add(name);
    }
}

async function openDetail(record) {
  const dialog = $('detail');
  $('detail-title').textContent = `${record.functionName} · ${record.trigger} · attempt ${record.attempt}`;
  fill(
    $('detail-fields'),
    [
      ['outcome', record.status ? `${record.outcome} (${record.status})` : record.outcome],
      ['source', record.source],
      ['started', record.startedAt],
      ['duration', `${record.durationMs} ms`],
      ['cold start', record.coldStart ? 'yes' : 'no'],
      ['invocation', record.invocationId],
      record.messageId ? ['message', record.messageId] : null,
      record.error ? ['error', `${record.error.name}: ${record.error.message}`] : null,
    ]
      .filter(Boolean)
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { class: 'mono' }, v))),
  );
  $('detail-trace-id').textContent = record.traceId;
  fill($('detail-logs'), 'loading…');
  fill($('waterfall'));
  if (!dialog.open) dialog.showModal();
  const [logs, trace] = await Promise.all([
    api('GET', `/_faasport/invocations/${encodeURIComponent(record.invocationId)}/logs`).catch((err) => ({ lines: [], error: err.message })),
    api('GET', `/_faasport/invocations?traceId=${encodeURIComponent(record.traceId)}`).catch(() => [record]),
  ]);
  fill(
    $('detail-logs'),
    logs.error ??
      (logs.lines.length === 0
        ? 'No log lines.'
        : logs.lines
            .map((l) => {
              const { level, msg, time, functionName, invocationId, traceId, ...fields } = l;
              return `${clock(time)} ${level.toUpperCase().padEnd(5)} ${msg}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`;
            })
            .join('') + (logs.dropped ? `… and ${logs.dropped} more lines not kept\n` : '')),
  );
  drawWaterfall($('waterfall'), trace, record, openDetail);
}

// ---------------------------------------------------------------- data

async function refreshChannel(channel) {
  const [messages, deadLetters] = await Promise.all([api('GET', channelPath(channel, 'messages')), api('GET', channelPath(channel, 'dead-letter'))]);
  state.contents.set(channel.key, { messages, deadLetters });
  if (state.view === 'queues') render();
}

const stale = new Set();
let refreshTimer;
/** Refetches the contents of these channels soon, once for a burst of changes. */
function refreshSoon(channels) {
  for (const c of channels) stale.add(c.key);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const due = state.queues.filter((q) => stale.has(q.key));
    stale.clear();
    void Promise.all(due.map((c) => refreshChannel(c).catch(() => {})));
  }, 100);
}

/** New counts: refetch the channels whose counts changed. */
function onQueues(stats) {
  const before = new Map(state.queues.map((q) => [q.key, JSON.stringify(q)]));
  state.queues = stats;
  refreshSoon(stats.filter((q) => before.get(q.key) !== JSON.stringify(q) || !state.contents.has(q.key)));
  if (state.view === 'queues') render();
}

function onInvocation(record) {
  if (state.invocations.some((r) => r.invocationId === record.invocationId)) return;
  // A delivery ended: its channel changed even when the counts read the same (dead-lettered again).
  if (record.trigger !== 'http' && record.trigger !== 'schedule') refreshSoon(state.queues.filter((q) => q.functionName === record.functionName));
  state.invocations.unshift(record);
  if (state.invocations.length > 1000) state.invocations.length = 1000;
  renderInvocations();
}

function render() {
  // Keep what the user is typing and where focus is across re-renders of the queue view.
  const active = document.activeElement;
  const activeId = active?.id;
  const values = new Map([...panel.querySelectorAll('textarea, input')].map((el) => [el.id, el.value]));
  fill(panel, views[state.view]());
  for (const [id, value] of values) {
    const el = id && document.getElementById(id);
    if (el && panel.contains(el)) el.value = value;
  }
  const again = activeId ? document.getElementById(activeId) : null;
  if (again && panel.contains(again)) {
    again.focus();
    if ('selectionStart' in active && typeof active.selectionStart === 'number' && 'setSelectionRange' in again)
      again.setSelectionRange(active.selectionStart, active.selectionEnd);
  }
}

function select(view) {
  state.view = view;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.dataset.view === view;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    if (on) panel.setAttribute('aria-labelledby', tab.id);
  }
  render();
}

async function loadStatic() {
  [state.functions, state.schedules] = await Promise.all([api('GET', '/_faasport/functions'), api('GET', '/_faasport/schedules')]);
  render();
  renderInvocations();
}

function init() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab.dataset.view));
    // Arrow keys move between tabs (the ARIA tabs pattern); Tab goes on to the panel.
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined;
      if (next) {
        e.preventDefault();
        next.focus();
        select(next.dataset.view);
      }
    });
  }
  select('functions');
  $('filter-function').addEventListener('change', renderInvocations);
  $('filter-outcome').addEventListener('change', renderInvocations);
  stream(
    (event, data) => {
      if (event === 'invocation') onInvocation(data);
      else if (event === 'queues') onQueues(data);
    },
    async (s) => {
      $('connection').textContent = s === 'live' ? 'live' : 'reconnecting…';
      $('connection').className = `connection is-${s}`;
      if (s === 'live') {
        // A (re)connected stream starts from what the server has now: a restarted server has a new history.
        state.invocations = (await api('GET', '/_faasport/invocations').catch(() => [])).reverse();
        state.contents.clear();
        await loadStatic().catch((err) => show(panel.appendChild(result()), false, err.message));
      }
    },
  );
}

init();

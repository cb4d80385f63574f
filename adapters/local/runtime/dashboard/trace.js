// One trace as a waterfall: a bar per invocation, placed by its start and length on a shared
// time axis, indented under the span that called it (HTTP → queue → consumer → topic → subscriber),
// from the W3C trace context faasport passes along with every message it sends.
import { h, fill } from './dom.js';

/**
 * @param {HTMLOListElement} list
 * @param {Array<{invocationId: string, functionName: string, trigger: string, startedAt: string, durationMs: number, outcome: string, attempt: number, spanId: string, parentSpanId: string | null}>} records
 * @param {{invocationId: string}} current
 * @param {(record: unknown) => void} open
 */
export function drawWaterfall(list, records, current, open) {
  const spans = [...records].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  if (spans.length === 0) return fill(list);
  const start = Math.min(...spans.map((s) => Date.parse(s.startedAt)));
  const end = Math.max(...spans.map((s) => Date.parse(s.startedAt) + s.durationMs));
  const total = Math.max(1, end - start);
  const bySpan = new Map(spans.map((s) => [s.spanId, s]));
  const depth = (s) => {
    let d = 0;
    for (let p = s.parentSpanId; p && bySpan.has(p) && d < 20; p = bySpan.get(p).parentSpanId) d++;
    return d;
  };
  fill(
    list,
    spans.map((s) => {
      const left = ((Date.parse(s.startedAt) - start) / total) * 100;
      const width = Math.max(0.5, (s.durationMs / total) * 100);
      const label = `${s.functionName} (${s.trigger}${s.attempt > 1 ? `, attempt ${s.attempt}` : ''}) ${s.outcome}, ${s.durationMs} ms, at +${Date.parse(s.startedAt) - start} ms`;
      return h(
        'li',
        { class: `span ${s.outcome}${s.invocationId === current.invocationId ? ' current' : ''}`, 'data-span': s.spanId, 'data-function': s.functionName },
        h(
          'button',
          { type: 'button', class: 'span-label link', onclick: () => open(s), 'aria-label': `${label}: open` },
          h('span', { class: 'indent', 'data-depth': Math.min(depth(s), 6) }),
          s.functionName,
          h('span', { class: 'muted' }, ` ${s.trigger}${s.attempt > 1 ? ` #${s.attempt}` : ''}`),
        ),
        h('span', { class: 'track', 'aria-hidden': 'true' }, barOf(left, width)),
        h('span', { class: 'ms' }, `${s.durationMs} ms`),
      );
    }),
  );
}

/** The bar, sized with CSS custom properties set from script (the page's CSP allows no inline style attribute). */
function barOf(left, width) {
  const bar = h('span', { class: 'bar' });
  bar.style.setProperty('--left', `${left.toFixed(2)}%`);
  bar.style.setProperty('--width', `${width.toFixed(2)}%`);
  return bar;
}

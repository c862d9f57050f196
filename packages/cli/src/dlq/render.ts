/** Plain-text rendering of dead letters and event failures for `tillwatch dlq` (the `--json` forms print the objects). */
import type { DeadLetterView, EventFailureRow } from 'tillwatch/delivery';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const oneLine = (s: string | null | undefined, max: number): string => {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export function renderDeadLetters(items: readonly DeadLetterView[], next: string | undefined): string {
  if (items.length === 0) return 'no dead letters\n';
  const rows = items.map((d) => [d.id, d.queue, d.reason, String(d.attempts ?? '?'), d.deadLetteredAt ?? '?', oneLine(d.key, 40), oneLine(d.error ? `${d.error.code ?? ''} ${d.error.message ?? ''}` : '', 60)]);
  const more = next === undefined ? '' : `\nmore: tillwatch dlq list --after '${next}'`;
  return `${table(['ID', 'QUEUE', 'REASON', 'ATTEMPTS', 'DEAD-LETTERED', 'KEY', 'LAST ERROR'], rows)}\n${items.length} shown${more}\n`;
}

export function renderDeadLetter(d: DeadLetterView): string {
  const lines = [
    ['id', d.id],
    ['queue', d.queue],
    ['event', d.event ?? '?'],
    ['key', d.key ?? '?'],
    ['about', d.aggregateId ?? '-'],
    ['reason', d.reason],
    ['attempts', String(d.attempts ?? '?')],
    ['enqueued', d.enqueuedAt ?? '?'],
    ['dead-lettered', d.deadLetteredAt ?? '?'],
    ['last error', d.error ? `${d.error.reason ?? '?'} ${d.error.code ?? ''}: ${d.error.message ?? ''}` : '-'],
  ];
  return `${lines.map(([k, v]) => `${(k as string).padEnd(14)}${v}`).join('\n')}\npayload (redacted):\n${JSON.stringify(d.payload, null, 2)}\n`;
}

export function renderFailures(rows: readonly EventFailureRow[]): string {
  if (rows.length === 0) return 'no event failures\n';
  return `${table(
    ['LAST SEEN', 'EVENT', 'KEY', 'STATE', 'ATTEMPTS', 'FIRST ERROR', 'LAST ERROR'],
    rows.map((r) => [
      r.lastSeen.toISOString(),
      r.event,
      oneLine(r.key, 40),
      r.state,
      String(r.attempts),
      oneLine(`${r.firstError.code} ${r.firstError.message}`, 40),
      oneLine(`${r.lastError.code} ${r.lastError.message}`, 50),
    ]),
  )}\n`;
}

/**
 * What names in alert and SLO specs may look like. They end up in YAML, label values, PromQL string literals,
 * Go templates and Markdown headings, so anything that could break out of one of those (quotes, braces, newlines,
 * `{{`) is rejected at validation rather than escaped five different ways.
 */

/** Service, SLO, team and rule-group names: lower-case, digits, `-` and `_`, at most 63 characters. */
export const SAFE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
/** Alert names: PascalCase (Prometheus convention for alertname). */
export const ALERT_NAME = /^[A-Z][A-Za-z0-9]{0,127}$/;
/** Prometheus label names (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Shows a rejected value so that control characters and quotes are visible in the message. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `payment-success` -> `PaymentSuccess`. */
export function pascalCase(name: string): string {
  return name
    .split(/[-_]/)
    .filter((p) => p !== '')
    .map((p) => (p[0] as string).toUpperCase() + p.slice(1))
    .join('');
}

/** A loggable copy of an error: its type, and its message and stack passed through the label redactor. */
export interface RedactedError {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
}

/**
 * Copies an error for logging with `redact` applied to its message and stack: both may quote label values,
 * request payloads or connection strings. Never throws, whatever `err` is.
 */
export function redactError(err: unknown, redact: ((v: string) => string) | undefined): RedactedError {
  const scrub = (s: string): string => {
    if (redact === undefined) return s;
    try {
      const r: unknown = redact(s);
      return typeof r === 'string' ? r : '[redaction failed]';
    } catch {
      return '[redaction failed]';
    }
  };
  if (err instanceof Error) {
    return { type: err.name, message: scrub(String(err.message)), ...(typeof err.stack === 'string' ? { stack: scrub(err.stack) } : {}) };
  }
  let text: string;
  try {
    text = String(err);
  } catch {
    text = '[unprintable value]';
  }
  return { type: typeof err, message: scrub(text) };
}

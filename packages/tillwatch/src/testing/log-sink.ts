import { Writable } from 'node:stream';

/** An in-memory destination for tillwatch logs: every JSON line written, parsed, in order. */
export class LogSink extends Writable {
  /** Raw lines exactly as written (for "this string appears nowhere" assertions). */
  readonly raw: string[] = [];
  /** Parsed lines. */
  readonly lines: Record<string, unknown>[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    cb();
  }

  /** Lines whose `msg` equals or matches the argument. */
  find(msg: string | RegExp): Record<string, unknown>[] {
    return this.lines.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
  }

  /** Everything written, one string: for asserting a secret appears nowhere. */
  text(): string {
    return this.raw.join('\n') + this.partial;
  }
}

/** Creates a {@link LogSink}; pass it as `log.destination`. */
export function logSink(): LogSink {
  return new LogSink();
}

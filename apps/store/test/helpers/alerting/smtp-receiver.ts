/**
 * A minimal SMTP server (RFC 5321) on 127.0.0.1:0 for Alertmanager's real `email_configs` client (Go's
 * net/smtp): greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA (dot-unstuffed, RFC 5321 section 4.5.2), RSET,
 * NOOP, QUIT. It offers neither STARTTLS nor AUTH, so the generated config must say `require_tls: false` and
 * carry no credentials, as for a local relay. Every accepted message is recorded with its envelope and headers.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  readonly at: number;
  readonly from: string;
  readonly to: readonly string[];
  /** The message as sent (headers, blank line, body), CRLF line ends, dot-unstuffed. */
  readonly data: string;
  /** Header name (lower case) -> value (unfolded). */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  /** The first word of the subject after `[FIRING:n]`: Alertmanager's default subject starts with the group labels, alertname first. */
  readonly alertname: string;
  /** The body with quoted-printable soft line breaks removed, for searching. */
  readonly text: string;
}

export interface SmtpReceiver {
  readonly host: string;
  readonly port: number;
  /** host:port, for the receiver's `smarthost`. */
  readonly smarthost: string;
  readonly mails: ReceivedMail[];
  /** Commands answered with an error, for diagnostics. */
  readonly errors: string[];
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

function parseHeaders(data: string): Map<string, string> {
  const end = data.indexOf('\r\n\r\n');
  const head = (end === -1 ? data : data.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const out = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

/** Starts the server on a free loopback port. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let dataLines: string[] = [];
    let dataBytes = 0;
    let from: string | undefined;
    let to: string[] = [];
    let greeted = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const fail = (line: string, code: string) => {
      errors.push(`${line} -> ${code}`);
      reply(code);
    };
    const reset = () => {
      from = undefined;
      to = [];
    };

    const onLine = (line: string) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          const data = dataLines.join('\r\n');
          const headers = parseHeaders(data);
          const subject = headers.get('subject') ?? '';
          const bodyStart = data.indexOf('\r\n\r\n');
          mails.push({
            at: Date.now(),
            from: from ?? '',
            to: [...to],
            data,
            headers,
            subject,
            alertname: /^\[[A-Z]+(?::\d+)?\]\s+([A-Za-z0-9_]+)/.exec(subject)?.[1] ?? '',
            text: (bodyStart === -1 ? '' : data.slice(bodyStart + 4)).replace(/=\r\n/g, ''),
          });
          reset();
          dataLines = [];
          dataBytes = 0;
          reply('250 2.0.0 OK: queued');
          return;
        }
        dataBytes += line.length + 2;
        if (dataBytes <= MAX_MESSAGE_BYTES) dataLines.push(line.startsWith('.') ? line.slice(1) : line);
        return;
      }
      const verb = line.slice(0, 4).toUpperCase();
      const arg = line.slice(4).trim();
      switch (verb) {
        case 'EHLO':
          greeted = true;
          reset();
          socket.write('250-127.0.0.1 greets you\r\n250-8BITMIME\r\n250 SIZE 1048576\r\n');
          return;
        case 'HELO':
          greeted = true;
          reset();
          reply('250 127.0.0.1');
          return;
        case 'MAIL': {
          const m = /^FROM:\s*<([^>]*)>/i.exec(arg);
          if (!greeted) return fail(line, '503 5.5.1 EHLO/HELO first');
          if (!m) return fail(line, '501 5.5.4 Syntax: MAIL FROM:<address>');
          reset();
          from = m[1];
          return reply('250 2.1.0 OK');
        }
        case 'RCPT': {
          const m = /^TO:\s*<([^>]+)>/i.exec(arg);
          if (from === undefined) return fail(line, '503 5.5.1 MAIL first');
          if (!m) return fail(line, '501 5.5.4 Syntax: RCPT TO:<address>');
          to.push(m[1] as string);
          return reply('250 2.1.5 OK');
        }
        case 'DATA':
          if (from === undefined || to.length === 0) return fail(line, '503 5.5.1 RCPT first');
          inData = true;
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          reset();
          return reply('250 2.0.0 OK');
        case 'NOOP':
          return reply('250 2.0.0 OK');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          // STARTTLS and AUTH are not offered (no TLS, no credentials in a loopback test).
          return fail(line, '502 5.5.2 Command not implemented');
      }
    };

    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        onLine(line);
      }
    });
    reply('220 127.0.0.1 ESMTP tillwatch-test');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    smarthost: `127.0.0.1:${port}`,
    mails,
    errors,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

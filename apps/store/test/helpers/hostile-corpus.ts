/**
 * A corpus of hostile values, what each one hides, and a scanner that looks for those secrets in any text
 * a sink holds: every grouping of a planted card number, the planted passwords, tokens and credentials, CVVs
 * next to their key, and, generically, any digit run the redactor's own card-number rule would mask.
 */
import { maskCardNumbers } from '@tillwatch/redact';

/** Scheme test card numbers (Luhn-valid), planted in many groupings. */
export const PANS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222', '3530111333300000', '2223003122003222'] as const;

/** Distinctive secrets: none of them may appear anywhere, in any sink. */
export const SECRETS = {
  password: 'Hunter2-Sekrit-Pw',
  dbPassword: 'PgPass9f8e7dZ',
  apiKey: 'sk_live_51HdZqR8t0kEnV4lu3',
  bearer: 'ya29A0ARrdaM-bearerSecretValue',
  jwtSignature: 'dGhpc2lzYXNpZ25hdHVyZXZhbHVlZm9yc2Nhbg',
  jwtClaims: 'eyJzdWIiOiJtYW5hZ2VyIiwicm9sZSI6ImFkbWluIn0',
  cookie: 'sessVal-7f3e9a1b2c',
} as const;

export const JWT = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${SECRETS.jwtClaims}.${SECRETS.jwtSignature}`;
/** CVVs are short: they are looked for next to a CVV-like key (`"cvv":"7319"`, `cvc=7319`). */
export const CVV = '7319';

/** What a secret may not be next to: a CVV key followed by the planted CVV. */
const CVV_NEXT_TO_KEY = new RegExp(`(cvv|cvc|cvv2|cvc2|csc|security_?code)["'\\\\]*\\s*[:=]\\s*["'\\\\]*${CVV}`, 'i');

function groupings(pan: string): string[] {
  const g4 = pan.match(/.{1,4}/g)!;
  return [pan, g4.join(' '), g4.join('-'), g4.join('.'), g4.join('_'), g4.join(':'), `${pan.slice(0, 6)} ${pan.slice(6)}`];
}

/** The hostile values: the classic list (card numbers, CVVs, passwords, tokens, DB URLs, NUL) and more. */
export function hostileValues(): string[] {
  const v: string[] = [];
  for (const pan of PANS) v.push(...groupings(pan).slice(0, 4));
  v.push(`${PANS[0]}`.replace(/(\d{4})/g, '$1 ').trim() + ` exp 12/30 cvv ${CVV}`);
  v.push(...groupings(PANS[1]).slice(4));
  v.push(
    `card=${PANS[0]}&cvv=${CVV}`,
    `{"cvv":"${CVV}","card_number":"${PANS[2]}"}`,
    `password=${SECRETS.password}`,
    `{"password":"${SECRETS.password}"}`,
    `user[password]=${SECRETS.password}&x=1`,
    `postgres://app:${SECRETS.dbPassword}@db.internal:5432/pos`,
    `redis://:${SECRETS.dbPassword}@cache:6379/0`,
    `https://user:${SECRETS.dbPassword}@example.com/hook?token=${SECRETS.apiKey}`,
    `api_key=${SECRETS.apiKey}`,
    `Bearer ${SECRETS.bearer}`,
    `Authorization: Bearer ${SECRETS.bearer}`,
    JWT,
    `token ${JWT}`,
    `session_token=${SECRETS.cookie}; secret=${SECRETS.cookie}`,
    `x\u0000${PANS[0]}`,
    `\u0000`,
    `a\ud800${PANS[3]}`,
    `${PANS[0]}\r\nX-Injected: 1`,
    `'; DROP TABLE orders; -- ${PANS[4]}`,
    `<script>alert("${PANS[5]}")</script>`,
    `../../etc/passwd?token=${SECRETS.apiKey}`,
    `${'9'.repeat(300)} ${PANS[6]}`,
    `ünïcødé ${PANS[3]} ✓`,
  );
  return v;
}

export interface Finding {
  readonly sink: string;
  readonly what: string;
  readonly context: string;
}

function around(text: string, index: number, length: number): string {
  return JSON.stringify(text.slice(Math.max(0, index - 60), index + length + 60));
}

/** Digits with single separators between them joined, so `4111 1111.1111_1111` reads as one run. */
function joinDigitRuns(text: string): string {
  return text.replace(/(?<=\d)[ ._:\-/](?=\d)/g, '');
}

const RANDOM_HEX_ID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|(?=[0-9a-f]*[a-f])[0-9a-f]{32,}/gi;
const SPACED_RUN = /[0-9](?:[ -]?[0-9]){12,}/g;
const GROUPED_RUN = /(?<![0-9])[0-9]{1,6}([._:])[0-9]{1,6}(?:\1[0-9]{1,6})+(?![0-9])/g;

/** The first digit run the redactor would mask as a card number, skipping the fractional part of a decimal number (a metric's sum). */
function firstCardLikeRun(text: string): { index: number; length: number } | undefined {
  for (const re of [SPACED_RUN, GROUPED_RUN]) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const fraction = re === SPACED_RUN && /[0-9]\.$/.test(text.slice(Math.max(0, m.index - 2), m.index));
      if (!fraction && maskCardNumbers(m[0]) !== m[0]) return { index: m.index, length: m[0].length };
    }
  }
  return undefined;
}

/** Every secret of the corpus found in `text`, named by sink. */
export function scanText(sink: string, text: string, opts: { generic?: boolean } = {}): Finding[] {
  const found: Finding[] = [];
  const joined = joinDigitRuns(text);
  for (const pan of PANS) {
    const i = joined.indexOf(pan);
    if (i >= 0) found.push({ sink, what: `card number ${pan.slice(0, 6)}…`, context: around(joined, i, pan.length) });
  }
  for (const [name, secret] of Object.entries(SECRETS)) {
    const i = text.indexOf(secret);
    if (i >= 0) found.push({ sink, what: name, context: around(text, i, secret.length) });
  }
  const cvv = CVV_NEXT_TO_KEY.exec(text);
  if (cvv) found.push({ sink, what: 'cvv', context: around(text, cvv.index, cvv[0].length) });
  // Generic: any card number the redactor's own rule recognises, planted or not (not for binary files,
  // where runs of small integers in PostgreSQL's serialised catalogues read as digit groups).
  // UUIDs and long hex strings (hashes, pg-boss job ids) are random ids whose digits hold a Luhn-valid run
  // about once in 500: left out of the generic check, which would otherwise flake; a planted card number
  // inside one is still found above.
  const idsOut = text.replace(RANDOM_HEX_ID, (m) => 'x'.repeat(m.length));
  if (opts.generic !== false && maskCardNumbers(idsOut) !== idsOut) {
    const hit = firstCardLikeRun(idsOut);
    if (hit !== undefined) found.push({ sink, what: 'a Luhn-valid card number', context: around(text, hit.index, hit.length) });
  }
  return found;
}

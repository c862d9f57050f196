/**
 * Scrubbing free text: log messages, string fields, error messages and stacks, URLs.
 *
 * Cheap probes decide which of the (comparatively costly) regex passes can possibly match, so the common
 * string (no long digit run, no `=`, no `@`...) is returned as is, without allocating.
 */
import { maskCardNumbers } from './card-number.ts';
import { REDACTED, truncatedChars } from './placeholders.ts';

export interface TextScrubberOptions {
  /** The redactor's key rule, reused for URL query parameters, `key=value` pairs and JSON text. */
  readonly isSensitiveKey: (key: string) => boolean;
  /** Longer strings are cut, after scrubbing, and end with a `…[Truncated: N chars]` marker. */
  readonly maxStringLength: number;
}

/** `scheme://userinfo@`: the userinfo (user, or user:password) is replaced. RFC 3986 section 3.2.1 deprecates passwords in URIs for this reason. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/**
 * `name=value` after a URL/form/fragment delimiter or whitespace: query strings (`?token=`), form bodies
 * (`password=...&user=...`), OAuth implicit-flow fragments (`#access_token=`) and logfmt-style text.
 */
const KEY_VALUE = /(^|[?&;#,\s])([A-Za-z0-9_.%[\]-]{1,64})=([^&\s;,#"'<>]*)/g;

/** A JSON object key followed by its colon, optionally with escaped quotes (JSON text inside a JSON string). */
const JSON_KEY = /(\\?)"([^"\\]{1,64})\\?"\s*:\s*/g;

/** `Bearer <token>` / `Basic <base64>` in free text, e.g. a dumped request header. RFC 6750 section 2.1 token68 characters. */
const AUTH_SCHEME = /\b(bearer|basic)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;

/**
 * A JSON Web Token (RFC 7519) or other JOSE compact serialisation standing alone in text: a base64url JSON
 * header (`eyJ`, the encoding of `{"`) and at least one more base64url segment after a dot. A bearer
 * credential whatever key or prose surrounds it.
 */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){0,3}/g;

/** Cheap test for {@link AUTH_SCHEME}: `includes('earer')` is slower, as `e` is common and memchr keeps stopping on it. */
const AUTH_PROBE = /\b(?:bearer|basic)\s/i;

/** How far past maxStringLength a long string is scrubbed before it is cut, so a secret straddling the cut is still found whole. */
const SCRUB_MARGIN = 512;

/** What {@link scanText} found, as bits: each enables one scrubbing pass. */
const Flag = {
  CARD: 1,
  URL_CREDENTIALS: 2,
  KEY_VALUE: 4,
  JSON: 8,
  AUTH: 16,
  JWT: 32,
} as const;

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i); // NaN out of range: false
  return c >= 48 && c <= 57;
}

/** A space, `-`, `.`, `_` or `:`: a separator that may stand between the digit groups of a card number. */
function isGroupSeparator(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 95 || c === 58;
}

/** Digits in the run (digits, with single separators between them) that contains position `i`. */
function runDigitsAround(s: string, i: number): number {
  let count = 0;
  for (let j = i; j >= 0; j--) {
    const c = s.charCodeAt(j);
    if (c >= 48 && c <= 57) count++;
    else if (!(isGroupSeparator(c) && isDigitAt(s, j - 1) && isDigitAt(s, j + 1))) break;
  }
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c >= 48 && c <= 57) count++;
    else if (!(isGroupSeparator(c) && isDigitAt(s, j - 1) && isDigitAt(s, j + 1))) break;
  }
  return count;
}

/**
 * True when the text holds a run of at least 13 digits (single spaces, dashes, dots, underscores or colons allowed between them).
 * Such a run spans at least 13 characters, so probing every 13th character is enough to land in it; only
 * probes that land on a digit are expanded. On plain text this is about 13 times cheaper than a full scan.
 */
function hasLongDigitRun(s: string): boolean {
  for (let i = 12; i < s.length; i += 13) {
    const c = s.charCodeAt(i);
    const inRun = (c >= 48 && c <= 57) || (isGroupSeparator(c) && isDigitAt(s, i - 1) && isDigitAt(s, i + 1));
    if (inRun && runDigitsAround(s, i) >= 13) return true;
  }
  return false;
}

/** Below this length one loop over the characters beats several `includes` calls, each a runtime call. */
const SHORT_TEXT = 64;

/** {@link scanText} for short strings: one pass over the characters. */
function scanShortText(s: string): number {
  let flags = 0;
  let run = 0;
  let quote = false;
  let colon = false;
  let scheme = false;
  let at = false;
  let jwt = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 13) flags |= Flag.CARD;
      continue;
    }
    // a single separator between digits continues the run
    if (!(isGroupSeparator(c) && isDigitAt(s, i - 1) && isDigitAt(s, i + 1))) run = 0;
    if (c === 61) flags |= Flag.KEY_VALUE;
    else if (c === 64) at = true;
    else if (c === 34) quote = true;
    else if (c === 101 && s.charCodeAt(i + 1) === 121 && s.charCodeAt(i + 2) === 74) jwt = true; // eyJ
    else if (c === 58) {
      colon = true;
      if (s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) scheme = true;
    }
  }
  if (at && scheme) flags |= Flag.URL_CREDENTIALS;
  if (quote && colon) flags |= Flag.JSON;
  if (s.length >= 15 && AUTH_PROBE.test(s)) flags |= Flag.AUTH;
  if (jwt) flags |= Flag.JWT;
  return flags;
}

/**
 * A bit set of what the text may contain. Long strings are probed with single-character `includes`
 * (memchr-fast in V8) and one regex rather than a per-character loop, which costs about 3 ns a character.
 */
function scanText(s: string): number {
  if (s.length < SHORT_TEXT) return scanShortText(s);
  let flags = 0;
  if (hasLongDigitRun(s)) flags |= Flag.CARD;
  if (s.includes('@') && s.includes('://')) flags |= Flag.URL_CREDENTIALS;
  if (s.includes('=')) flags |= Flag.KEY_VALUE;
  if (s.includes('"') && s.includes(':')) flags |= Flag.JSON;
  if (AUTH_PROBE.test(s)) flags |= Flag.AUTH;
  if (s.includes('eyJ')) flags |= Flag.JWT;
  return flags;
}

/** End index (exclusive) of the JSON value starting at `i`; a value that never ends runs to the end of the text. */
function jsonValueEnd(s: string, i: number, escapedQuotes: boolean): number {
  const n = s.length;
  if (escapedQuotes && s.startsWith('\\"', i)) {
    const close = s.indexOf('\\"', i + 2);
    return close < 0 ? n : close + 2;
  }
  const c = s.charCodeAt(i);
  if (c === 34) {
    for (let j = i + 1; j < n; j++) {
      const d = s.charCodeAt(j);
      if (d === 92) j++;
      else if (d === 34) return j + 1;
    }
    return n;
  }
  if (c === 123 || c === 91) {
    let depth = 0;
    let inString = false;
    for (let j = i; j < n; j++) {
      const d = s.charCodeAt(j);
      if (inString) {
        if (d === 92) j++;
        else if (d === 34) inString = false;
      } else if (d === 34) inString = true;
      else if (d === 123 || d === 91) depth++;
      else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
    }
    return n;
  }
  let j = i;
  while (j < n && !/[,}\]\s\\]/.test(s.charAt(j))) j++;
  return j;
}

/** Is a token after Bearer/Basic a credential rather than an English word ("basic settings")? */
function looksLikeCredential(scheme: string, token: string): boolean {
  if (scheme.toLowerCase() === 'basic' && token.length % 4 !== 0) return false;
  return /[0-9+/=._~-]/.test(token) || /[A-Z]/.test(token.slice(1));
}

/** Builds the free-text scrubber used by the redactor for every string. */
export function createTextScrubber(o: TextScrubberOptions): (s: string) => string {
  const { isSensitiveKey, maxStringLength } = o;

  const isSensitiveParam = (name: string): boolean => {
    let n = name;
    if (n.includes('%')) {
      try {
        n = decodeURIComponent(n);
      } catch {
        // malformed escapes: judge the raw name
      }
    }
    if (isSensitiveKey(n)) return true;
    // Rails/PHP nested form names: user[password], card[cvc]
    const open = n.lastIndexOf('[');
    return open >= 0 && isSensitiveKey(n.slice(open + 1).replace(/\]$/, ''));
  };

  const replaceKeyValue = (m: string, pre: string, name: string, value: string): string =>
    value.length > 0 && value !== REDACTED && isSensitiveParam(name) ? `${pre}${name}=${REDACTED}` : m;

  const replaceAuth = (m: string, scheme: string, space: string, token: string): string =>
    looksLikeCredential(scheme, token) ? `${scheme}${space}${REDACTED}` : m;

  const scrubJsonPairs = (s: string): string => {
    JSON_KEY.lastIndex = 0;
    let out = '';
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = JSON_KEY.exec(s)) !== null) {
      if (!isSensitiveKey(m[2] as string)) continue;
      const start = JSON_KEY.lastIndex;
      const escaped = m[1] === '\\';
      const end = jsonValueEnd(s, start, escaped);
      if (end <= start) continue;
      out += s.slice(last, start) + (escaped ? `\\"${REDACTED}\\"` : `"${REDACTED}"`);
      last = end;
      JSON_KEY.lastIndex = end;
    }
    return last === 0 ? s : out + s.slice(last);
  };

  /** Cuts at `max`, never leaving more than 6 digits of a number that the cut split. */
  const cut = (s: string, max: number, totalLength: number): string => {
    let end = Math.min(max, s.length);
    const hi = s.charCodeAt(end - 1);
    if (hi >= 0xd800 && hi <= 0xdbff) end--; // do not split a surrogate pair
    let j = end;
    let digits = 0;
    while (j > 0) {
      const c = s.charCodeAt(j - 1);
      if (c >= 48 && c <= 57) digits++;
      else if (c !== 32 && c !== 45) break;
      j--;
    }
    if (digits > 6) end = j;
    return s.slice(0, end) + truncatedChars(totalLength);
  };

  return function scrubText(input: string): string {
    const total = input.length;
    const tooLong = total > maxStringLength;
    let s = tooLong ? input.slice(0, maxStringLength + SCRUB_MARGIN) : input;
    const flags = scanText(s);
    if (flags !== 0) {
      if (flags & Flag.URL_CREDENTIALS) s = s.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
      if (flags & Flag.KEY_VALUE) s = s.replace(KEY_VALUE, replaceKeyValue);
      if (flags & Flag.JSON) s = scrubJsonPairs(s);
      if (flags & Flag.AUTH) s = s.replace(AUTH_SCHEME, replaceAuth);
      if (flags & Flag.JWT) s = s.replace(JWT, REDACTED);
      if (flags & Flag.CARD) s = maskCardNumbers(s);
    }
    return tooLong ? cut(s, maxStringLength, total) : s;
  };
}

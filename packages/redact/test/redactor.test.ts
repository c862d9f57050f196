import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, type SerializedError } from '../src/redactor.ts';
import { luhnValid } from '../src/luhn.ts';
import { isCardNumber, maskDigits } from '../src/card-number.ts';

const r = createRedactor();

/** Test PANs published by the card schemes / processors for testing. */
const CARDS = {
  visa: '4111111111111111',
  visa13: '4222222222222',
  mastercard: '5555555555554444',
  mastercard2: '2223003122003222',
  amex: '378282246310005',
  discover: '6011111111111117',
  jcb: '3530111333300000',
  unionpay: '6212345678901265',
  maestro: '6759649826438453',
  visa19: '4111111111111111110',
  uatp: '122000000000003',
} as const;

describe('luhn and card-number rules', () => {
  test('the Luhn check accepts scheme test numbers and rejects one-digit changes', () => {
    for (const pan of Object.values(CARDS)) {
      assert.ok(luhnValid(pan), pan);
      const last = Number(pan.at(-1));
      assert.ok(!luhnValid(pan.slice(0, -1) + String((last + 1) % 10)), pan);
    }
  });

  test('masking keeps at most the first six and last four digits', () => {
    assert.equal(maskDigits('4111111111111111'), '411111******1111');
    assert.equal(maskDigits('378282246310005'), '378282*****0005');
    assert.equal(maskDigits('4222222222222'), '422222***2222');
  });

  test('Luhn-valid millisecond, microsecond and nanosecond timestamps are not card numbers', () => {
    // Each of these passes Luhn; all are real Unix times.
    const ms = findLuhnValid(1718000000000, 13);
    assert.ok(luhnValid(ms));
    assert.equal(isCardNumber(ms), false);
    assert.equal(isCardNumber(findLuhnValid(1718000000000000, 16)), false);
    assert.equal(isCardNumber(findLuhnValid(2100000000000, 13)), false); // year 2036
    assert.equal(isCardNumber(CARDS.uatp), true); // MII 1 at 15 digits is UATP
  });
});

/** The first Luhn-valid number at or above `from` with `len` digits, as a string. */
function findLuhnValid(from: number, len: number): string {
  for (let n = from; ; n++) {
    const s = String(n);
    if (s.length === len && luhnValid(s)) return s;
  }
}

describe('free text', () => {
  const cases: [name: string, input: string, expected: string][] = [
    ['a contiguous PAN in a sentence', 'card 4111111111111111 declined', 'card 411111******1111 declined'],
    ['a PAN grouped by spaces', 'card 4111 1111 1111 1111 declined', 'card 411111******1111 declined'],
    ['a PAN grouped by dashes', 'card 5555-5555-5555-4444.', 'card 555555******4444.'],
    ['a PAN as the value of a sensitive parameter', 'pan=5555-5555-5555-4444', 'pan=[REDACTED]'],
    ['a PAN glued to letters', 'ref:X4111111111111111Y', 'ref:X411111******1111Y'],
    ['an Amex PAN in 4-6-5 groups', 'amex 3782 822463 10005', 'amex 378282*****0005'],
    ['a 13-digit Visa', 'old card 4222222222222', 'old card 422222***2222'],
    ['a 19-digit PAN', `u ${CARDS.visa19}.`, `u ${maskDigits(CARDS.visa19)}.`],
    ['a PAN after a small number in the same group run', 'qty 2 4111 1111 1111 1111', 'qty 2 411111******1111'],
    ['two PANs', '4111111111111111/5555555555554444', '411111******1111/555555******4444'],
    ['a Luhn-invalid 16-digit order id', 'order 4111111111111112 shipped', 'order 4111111111111112 shipped'],
    ['a 20-digit contiguous number', 'id 41111111111111110000', 'id 41111111111111110000'],
    ['a 12-digit number', 'id 411111111111', 'id 411111111111'],
    ['a Luhn-valid ms timestamp', `at ${findLuhnValid(1718000000000, 13)}`, `at ${findLuhnValid(1718000000000, 13)}`],
    ['an ISO date and a phone number', '2024-06-10 12:00 call +44 20 7946 0958', '2024-06-10 12:00 call +44 20 7946 0958'],
    ['double separators end a run', '4111 1111  1111 1111', '4111 1111  1111 1111'],
    ['credentials in a connection string', 'connecting to postgres://app:s3cr3t@db:5432/pos', 'connecting to postgres://[REDACTED]@db:5432/pos'],
    ['a password containing @', 'redis://:p@ss@cache:6379', 'redis://[REDACTED]@cache:6379'],
    ['a user without password', 'https://bob@example.com/x', 'https://[REDACTED]@example.com/x'],
    ['an email address in a URL path', 'https://shop.example/users/bob@example.com', 'https://shop.example/users/bob@example.com'],
    ['sensitive query parameters', 'GET /cb?code=1&access_token=abc.def&state=xyz&api-key=k', 'GET /cb?code=1&access_token=[REDACTED]&state=xyz&api-key=[REDACTED]'],
    ['a fragment token', 'https://app/#id_token=eyJ.x.y&x=1', 'https://app/#id_token=[REDACTED]&x=1'],
    ['a form body', 'password=hunter2&user=bob', 'password=[REDACTED]&user=bob'],
    ['nested form names', 'card[cvc]=123&card[exp]=12/30', 'card[cvc]=[REDACTED]&card[exp]=12/30'],
    ['percent-encoded names', '?api%5Fkey=zzz', '?api%5Fkey=[REDACTED]'],
    ['innocent parameters', '/search?q=shipping&pinned=1&tokens_used=4', '/search?q=shipping&pinned=1&tokens_used=4'],
    ['JSON text', '{"user":"a","password":"hu\\"nter2","cvv":123,"ok":true}', '{"user":"a","password":"[REDACTED]","cvv":"[REDACTED]","ok":true}'],
    ['JSON text with a nested object value', '{"secret":{"a":[1,{"b":"}"}]},"x":1}', '{"secret":"[REDACTED]","x":1}'],
    ['escaped JSON inside text', 'body: {\\"token\\":\\"abc\\"}', 'body: {\\"token\\":\\"[REDACTED]\\"}'],
    ['a bearer token', 'Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig', 'Authorization: Bearer [REDACTED]'],
    ['basic credentials', 'authorization: Basic dXNlcjpwYXNz', 'authorization: Basic [REDACTED]'],
    ['English after "basic"', 'basic settings and bearer tokens', 'basic settings and bearer tokens'],
    ['plain text', 'payment captured for order o-123 at till 3', 'payment captured for order o-123 at till 3'],
  ];
  for (const [name, input, expected] of cases) {
    test(`scrubs ${name}`, () => assert.equal(r.string(input), expected));
  }

  test('returns the very same string when there is nothing to scrub', () => {
    const s = 'x'.repeat(100) + ' 12345 ' + 'y'.repeat(100);
    assert.equal(r.string(s), s);
  });

  test('scrubbing is idempotent', () => {
    for (const [, input] of cases) assert.equal(r.string(r.string(input)), r.string(input));
  });

  test('long strings are cut with a marker, after scrubbing, without leaving a split card number', () => {
    const small = createRedactor({ maxStringLength: 40 });
    const out = small.string(`${'a'.repeat(30)} 4111 1111 1111 1111 tail ${'b'.repeat(100)}`);
    assert.ok(out.startsWith('a'.repeat(30)));
    assert.match(out, /…\[Truncated: \d+ chars\]$/);
    assert.doesNotMatch(out, /4111 1111/);
    const digitsAtCut = small.string(`${'a'.repeat(35)} 41111111111111 ${'b'.repeat(100)}`);
    assert.doesNotMatch(digitsAtCut, /\d{7}/);
    const credAtCut = small.string(`${'a'.repeat(20)} postgres://user:longpassword@db/x`);
    assert.doesNotMatch(credAtCut, /longpass|user:/);
  });
});

describe('objects', () => {
  test('removes sensitive keys at any depth, whatever their case and separators', () => {
    const input = {
      Authorization: 'Bearer x', 'Proxy-Authorization': 'x', cookie: 'sid=1', 'Set-Cookie': ['a=1'],
      password: 'x', PASSWD: 'x', pwd: 'x', secret: 'x', client_secret: 'x', token: 'x', accessToken: 'x',
      refresh_token: 'x', id_token: 'x', apiKey: 'x', api_key: 'x', 'X-API-Key': 'x', 'api key': 'x',
      cvv: '1', CVC: '1', cvv2: '1', cvc2: '1', cid: '1', pin: '1', track1: 'x', track2: 'x', trackData: 'x',
      magstripe: 'x', cardNumber: 'x', card_number: 'x', PAN: 'x', ccnumber: 'x', primary_account_number: 'x',
      dbPassword: 'x', csrfToken: 'x', webhookSecret: 'x', stripeApiKey: 'x', password_confirmation: 'x',
      nested: { deeper: { list: [{ cvv: '999', ok: 1 }] } },
    };
    assert.deepEqual(r.value(input), { nested: { deeper: { list: [{ ok: 1 }] } } });
  });

  test('keeps innocent keys that merely contain a sensitive word', () => {
    const input = { shipping: 1, pinned: true, spinner: 'x', tokens_used: 5, max_tokens: 9, token_type: 'Bearer', secretary: 'x', company: 'x', passenger: 'x', secret_arn: 'arn', cardLast4: '1111' };
    assert.deepEqual(r.value(input), input);
  });

  test('extraKeys adds application keys, matched the same way', () => {
    const custom = createRedactor({ extraKeys: ['loyaltyPin', 'X-Tenant-Secret-Id'] });
    assert.deepEqual(custom.value({ loyalty_pin: 1, 'x-tenant-secret-id': 2, keep: 3 }), { keep: 3 });
    assert.ok(custom.isSensitiveKey('LOYALTY-PIN'));
    assert.ok(!r.isSensitiveKey('loyaltyPin'));
  });

  test('masks card numbers in every string field and in PAN-valued numbers and BigInts', () => {
    const out = r.value({ note: 'card 4111 1111 1111 1111', n: 4111111111111111, b: 5555555555554444n, ok: 4111111111111112, small: 42, ts: Number(findLuhnValid(1718000000000, 13)) });
    assert.deepEqual(out, { note: 'card 411111******1111', n: '411111******1111', b: '555555******4444', ok: 4111111111111112, small: 42, ts: Number(findLuhnValid(1718000000000, 13)) });
  });

  test('copies deeply and never mutates its input', () => {
    const input = { a: { b: [1, { c: 'x' }] }, password: 'p' };
    const frozen = structuredClone(input);
    const out = r.value(input) as { a: unknown };
    assert.deepEqual(input, frozen);
    assert.notEqual(out.a, input.a);
  });

  test('converts non-JSON values to JSON-safe ones', () => {
    const out = r.value({
      big: 10n, buf: Buffer.from('secret bytes'), u8: new Uint8Array(3), ab: new ArrayBuffer(7), date: new Date(0), bad: new Date(NaN),
      map: new Map<unknown, unknown>([['a', 1], ['password', 2], [3, 'three']]), set: new Set(['x', 'y']),
      url: new URL('https://u:p@h/x?token=t&a=1'), fn: () => 1, sym: Symbol('s'), arr: [1, () => 2, Symbol('t')], undef: undefined,
      dec: { toJSON: () => '12.50' },
    });
    assert.deepEqual(out, {
      big: '10', buf: '[Buffer 12 bytes]', u8: '[Buffer 3 bytes]', ab: '[Buffer 7 bytes]', date: '1970-01-01T00:00:00.000Z', bad: 'Invalid Date',
      map: { a: 1, 3: 'three' }, set: ['x', 'y'], url: 'https://[REDACTED]@h/x?token=[REDACTED]&a=1', arr: [1, null, null], undef: undefined,
      dec: '12.50',
    });
  });

  test('sanitises keys that could forge a JSON line or set a prototype', () => {
    const hostile = JSON.parse('{"a\\n{\\"level\\":\\"fatal\\"}":1,"__proto__":{"x":1},"q\\"":2}') as object;
    const out = r.value(hostile) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ['[__proto__]', 'a_{_level_:_fatal_}', 'q_']);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  test('streams, sockets and other event emitters are named, not walked', async () => {
    const { PassThrough } = await import('node:stream');
    assert.deepEqual(r.value({ s: new PassThrough() }), { s: '[PassThrough]' });
  });
});

describe('hostile input', () => {
  test('circular references become [Circular]; shared references are copied', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const shared = { v: 1 };
    assert.deepEqual(r.value({ a, x: shared, y: shared, list: [a] }), {
      a: { name: 'a', self: '[Circular]' }, x: { v: 1 }, y: { v: 1 }, list: [{ name: 'a', self: '[Circular]' }],
    });
  });

  test('nesting deeper than maxDepth becomes [MaxDepth]', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { child: deep };
    let out = createRedactor({ maxDepth: 3 }).value(deep) as Record<string, unknown>;
    assert.deepEqual(out, { child: { child: { child: '[MaxDepth]' } } });
    out = r.value(deep) as Record<string, unknown>;
    let levels = 0;
    let cur: unknown = out;
    while (typeof cur === 'object' && cur !== null) {
      cur = (cur as Record<string, unknown>).child;
      levels++;
    }
    assert.equal(levels, 8);
    assert.equal(cur, '[MaxDepth]');
  });

  test('long arrays and wide objects are truncated with a marker', () => {
    const small = createRedactor({ maxArrayLength: 3, maxKeys: 2 });
    assert.deepEqual(small.value([1, 2, 3, 4, 5]), [1, 2, 3, '[Truncated: 2 more items]']);
    assert.deepEqual(small.value({ a: 1, b: 2, c: 3, d: 4 }), { a: 1, b: 2, '[Truncated]': '2 more keys' });
    assert.deepEqual(small.value(new Map([['a', 1], ['b', 2], ['c', 3]])), { a: 1, b: 2, '[Truncated]': '1 more keys' });
  });

  test('a total value budget bounds the work on wide and deep input', () => {
    const wide = Array.from({ length: 100 }, () => Array.from({ length: 100 }, (_, i) => i));
    const out = createRedactor({ maxTotalValues: 500 }).value(wide) as unknown[][];
    const flat = out.flat();
    assert.ok(flat.includes('[Truncated]'));
    assert.ok(flat.filter((v) => typeof v === 'number').length < 500);
  });

  test('throwing getters become [Thrown]; throwing Proxies become [Unserializable] or [Thrown]', () => {
    const getter = { ok: 1, get boom(): never { throw new Error('getter') } };
    assert.deepEqual(r.value(getter), { ok: 1, boom: '[Thrown]' });
    const ownKeys = new Proxy({}, { ownKeys() { throw new Error('trap') } });
    assert.equal(r.value(ownKeys), '[Unserializable]');
    const getTrap = new Proxy({ a: 1 }, { get() { throw new Error('trap') } });
    assert.deepEqual(r.value(getTrap), { a: '[Thrown]' });
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    assert.deepEqual(r.value({ p: revocable.proxy }), { p: '[Unserializable]' });
    const protoTrap = new Proxy({}, { getPrototypeOf() { throw new Error('trap') } });
    assert.equal(r.value(protoTrap), '[Unserializable]');
  });

  test('toJSON that throws, or returns itself, does not escape', () => {
    class Money { amount = 5; toJSON(): never { throw new Error('no') } }
    assert.deepEqual(r.value({ m: new Money() }), { m: '[Unserializable]' });
    class Self { a = 1; toJSON(): this { return this } }
    assert.deepEqual(r.value({ s: new Self() }), { s: { a: 1 } });
  });

  test('string() and error() never throw, even on values that are not what the types say', () => {
    const evil = { toString(): never { throw new Error('x') } };
    assert.equal(r.string(evil as unknown as string), '[Unserializable]');
    assert.doesNotThrow(() => r.error(new Proxy({}, { get() { throw new Error('x') }, has() { throw new Error('y') }, ownKeys() { throw new Error('z') } })));
    assert.doesNotThrow(() => r.error(Symbol('s')));
  });
});

describe('errors', () => {
  test('serialises type, scrubbed message and stack, code and own properties', () => {
    const e = Object.assign(new TypeError('card 4111111111111111 via postgres://u:p@db/x'), {
      code: 'E_PAY', config: { headers: { Authorization: 'Bearer x', accept: 'json' } }, password: 'p',
    });
    const out = r.error(e);
    assert.equal(out.type, 'TypeError');
    assert.equal(out.message, 'card 411111******1111 via postgres://[REDACTED]@db/x');
    assert.equal(out.code, 'E_PAY');
    assert.ok(out.stack?.startsWith('TypeError: card 411111******1111 via postgres://[REDACTED]@db/x\n'));
    assert.deepEqual(out.config, { headers: { accept: 'json' } });
    assert.equal('password' in out, false);
    assert.doesNotMatch(JSON.stringify(out), /4111111111111111|u:p@/);
  });

  test('a subclass without its own name is typed by its constructor', () => {
    class PaymentDeclinedError extends Error {}
    assert.equal(r.error(new PaymentDeclinedError('no')).type, 'PaymentDeclinedError');
  });

  test('the cause chain is followed, scrubbed and bounded', () => {
    const root = new Error('root 5555555555554444');
    const mid = new Error('mid', { cause: root });
    const top = new Error('top', { cause: mid });
    const out = r.error(top);
    const cause = out.cause as SerializedError;
    assert.equal(cause.message, 'mid');
    assert.equal((cause.cause as SerializedError).message, 'root 555555******4444');

    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    assert.equal(((r.error(a).cause as SerializedError).cause), '[Circular]');

    let chain = new Error('e0');
    for (let i = 1; i < 50; i++) chain = new Error(`e${i}`, { cause: chain });
    assert.match(JSON.stringify(r.error(chain)), /\[MaxDepth\]/);
  });

  test('AggregateError keeps its errors', () => {
    const out = r.error(new AggregateError([new Error('x 4111111111111111')], 'many'));
    assert.equal(out.type, 'AggregateError');
    assert.equal(((out.errors as SerializedError[])[0] as SerializedError).message, 'x 411111******1111');
  });

  test('non-Error throwables get a type and a message', () => {
    assert.deepEqual(r.error('boom 4111111111111111'), { type: 'string', message: 'boom 411111******1111' });
    assert.deepEqual(r.error(undefined), { type: 'undefined', message: '' });
    assert.deepEqual(r.error(null), { type: 'null', message: 'null' });
    assert.deepEqual(r.error({ message: 'plain', status: 500 }), { type: 'Error', message: 'plain', status: 500 });
  });

  test('an Error nested anywhere in a value gets the error shape', () => {
    const out = r.value({ err: new RangeError('bad') }) as { err: SerializedError };
    assert.equal(out.err.type, 'RangeError');
    assert.equal(out.err.message, 'bad');
  });
});

describe('fuzz (seeded)', () => {
  /** mulberry32: a small seeded PRNG so a failure reproduces. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const SEED = 0x7111;
  const rand = prng(SEED);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

  /** Completes `body` with the Luhn check digit. */
  function withCheckDigit(body: string): string {
    for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
    throw new Error('unreachable');
  }
  function randomPan(): string {
    const len = 13 + int(7);
    const first = len === 13 ? '4' : pick(['2', '3', '4', '5', '6']);
    let body = first;
    while (body.length < len - 1) body += String(int(10));
    return withCheckDigit(body);
  }
  function format(pan: string): string {
    switch (int(4)) {
      case 0: return pan;
      case 1: return pan.replace(/(\d{4})(?=\d)/g, '$1 ');
      case 2: return pan.replace(/(\d{4})(?=\d)/g, '$1-');
      default: {
        let out = '';
        let i = 0;
        while (i < pan.length) {
          const size = 1 + int(6);
          out += (out ? pick([' ', '-']) : '') + pan.slice(i, i + size);
          i += size;
        }
        return out;
      }
    }
  }
  const FILLER = 'abcxyzABC XYZ.,;:!?()[]{}<>/\\\'"é€ü\t\n0123456789 -_=+*#%';
  const NO_DIGITS = FILLER.replace(/[0-9]/g, '');
  function filler(alphabet: string, max: number): string {
    let s = '';
    const n = int(max);
    for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
    return s;
  }
  /** A neighbour of the card that is not a digit (a digit would make it part of a longer number). */
  function boundary(): string {
    return pick([' ', 'x', ':', '/', '(', '\n', '"', 'é', '']);
  }

  test(`no Luhn-valid card number survives, in any format or position (seed ${SEED})`, () => {
    for (let i = 0; i < 2000; i++) {
      const pan = randomPan();
      const before = filler(FILLER, 40);
      const after = filler(FILLER, 40);
      const lead = /\d$/.test(before) ? ' ' : boundary();
      const trail = /^\d/.test(after) ? ' ' : boundary();
      const input = `${before}${lead}${format(pan)}${trail}${after}`;
      const out = r.string(input);
      assert.ok(!out.replace(/[ -]/g, '').includes(pan), `card survived: ${JSON.stringify(input)} -> ${JSON.stringify(out)}`);
      // a PAN as a number field is only exact up to 2^53 - 1
      const asNumber = Number.isSafeInteger(Number(pan)) ? Number(pan) : 0;
      const inObject = JSON.stringify(r.value({ deep: { list: [input] }, [`k${i}`]: asNumber }));
      assert.ok(!inObject.replace(/[ -]/g, '').includes(pan), `card survived in object: ${input}`);
    }
  });

  test(`Luhn-invalid 13 to 19 digit numbers are left untouched (seed ${SEED})`, () => {
    for (let i = 0; i < 2000; i++) {
      const len = 13 + int(7);
      let n = String(1 + int(9));
      while (n.length < len) n += String(int(10));
      if (luhnValid(n)) n = n.slice(0, -1) + String((Number(n.at(-1)) + 1) % 10);
      const input = `${filler(NO_DIGITS, 30)} ${n} ${filler(NO_DIGITS, 30)}`.replace(/[=@":]/g, '.');
      assert.equal(r.string(input), input);
    }
  });

  test(`random nested garbage never throws and always stringifies (seed ${SEED})`, () => {
    const leaves: (() => unknown)[] = [
      () => filler(FILLER, 20), () => rand() * 1e20, () => BigInt(int(1e9)), () => null, () => undefined,
      () => new Date(int(2e12)), () => Buffer.alloc(int(10)), () => new Error(filler(FILLER, 10)), () => Symbol('s'), () => () => 1,
    ];
    const make = (depth: number): unknown => {
      if (depth > 5 || rand() < 0.3) return pick(leaves)();
      if (rand() < 0.3) return Array.from({ length: int(5) }, () => make(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = int(6); i > 0; i--) o[filler(FILLER, 8)] = make(depth + 1);
      if (rand() < 0.1) o.self = o;
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const v = make(0);
      assert.doesNotThrow(() => JSON.stringify(r.value(v)));
    }
  });
});

describe('JSON Web Tokens in free text', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYXNoaWVyIiwiaWF0IjoxNzAwMDAwMDAwfQ.Sfl2bD7Q5mC3y1eTqzJQJg0v7pYw9nZkq3yH4s5t6u8';
  test('a token standing alone in text is replaced, in short and long strings', () => {
    assert.equal(r.string(`token ${jwt}`), 'token [REDACTED]');
    assert.equal(r.string(jwt), '[REDACTED]');
    assert.equal(r.string(`refund because ${jwt} was shown`), 'refund because [REDACTED] was shown');
    const long = `${'x'.repeat(100)} ${jwt} ${'y'.repeat(100)}`;
    assert.ok(!r.string(long).includes(jwt.split('.')[1]!));
    assert.deepEqual(r.value({ note: jwt }), { note: '[REDACTED]' });
  });
  test('words starting eyJ without a dot-separated segment are kept', () => {
    assert.equal(r.string('eyJust a word'), 'eyJust a word');
    assert.equal(r.string('the eyJ prefix'), 'the eyJ prefix');
  });
});

describe('card numbers grouped by dots, underscores or colons', () => {
  test('three or more groups under one repeated separator are masked', () => {
    assert.equal(r.string('card 4111.1111.1111.1111 ok'), 'card 411111******1111 ok');
    assert.equal(r.string('4111_1111_1111_1111'), '411111******1111');
    assert.equal(r.string('till:4111:1111:1111:1111:x'), 'till:411111******1111:x');
    assert.equal(r.string('3782.822463.10005'), '378282*****0005');
  });
  test('decimals, addresses, clock times and versions are kept', () => {
    for (const s of ['0.30000000000000004', '1234567.891234567', '192.168.100.200:8080', '10.0.0.1:5432', '2026-12-07T01:02:03.123Z', 'v1.22.333', 'price 12.50 qty 3']) assert.equal(r.string(s), s);
  });
  test('a run starting with 0 is never a card number', () => {
    assert.equal(r.string('0000000000000000'), '0000000000000000');
    assert.equal(r.string('id 0411111111111111'), 'id 0411111111111111');
  });
});

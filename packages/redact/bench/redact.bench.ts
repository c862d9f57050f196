/**
 * Redactor cost per call, in ns/op. Plain node script, no assertions: run with
 * `node packages/redact/bench/redact.bench.ts` before and after a change to the redactor. Each case warms
 * up first so the JIT has optimised the path being measured. The JSON.stringify baseline puts the numbers
 * in proportion on whatever machine runs it.
 */
import { createRedactor } from '../src/redactor.ts';

const redactor = createRedactor();

/** A typical access-log line's fields: ~10 short strings and numbers. */
const accessLogFields = {
  method: 'POST',
  route: '/orders/:id/payments',
  status: 201,
  duration_ms: 42.17,
  bytes: 512,
  ua_family: 'okhttp',
  device_class: 'mobile',
  correlation_id: '0190f5e2-7c1a-7b3e-8f00-1a2b3c4d5e6f',
  location: 'store-0042',
  terminal: 'till-3',
};

/** 30 fields over three levels, some sensitive, like a payment-attempt debug line. */
const nested = {
  order: { id: 'ord_8f2k1', total: 129.95, currency: 'EUR', items: 3, createdAt: '2024-06-10T12:00:00.000Z', status: 'pending', channel: 'pos', note: 'no onions' },
  payment: {
    method: 'card', brand: 'visa', last4: '1111', amount: 129.95, attempt: 1, cvv: '123',
    processor: { name: 'acme', region: 'eu-west-1', latencyMs: 88, approved: true, authCode: 'A1B2C3', token: 'tok_123' },
  },
  customer: { id: 'cus_42', tier: 'gold', email: 'a@example.com', loyaltyPoints: 1200 },
  store: { id: 'store-0042', terminal: 'till-3', cashier: 'emp-77' },
  retry: false,
};

const filler = 'The customer asked for a refund of order 12345 at till 3 after the receipt printer jammed; manager approved. ';
const text = filler.repeat(Math.ceil(2048 / filler.length)).slice(0, 2048);
const textWithCard = `${text.slice(0, 1000)} card 4111 1111 1111 1111 ${text.slice(1025)}`;

/** Rounds per case; the fastest is reported, as the others measure whatever else the machine was doing. */
const ROUNDS = 5;

function bench(name: string, fn: () => unknown, iterations: number): void {
  let sink: unknown;
  for (let i = 0; i < Math.min(iterations, 20_000); i++) sink = fn(); // warm-up
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations);
  }
  if (sink === Symbol.for('never')) console.log(''); // keeps the result alive
  console.log(`${name.padEnd(44)} ${best.toFixed(0).padStart(8)} ns/op`);
}

bench('baseline: JSON.stringify of the flat object', () => JSON.stringify(accessLogFields), 200_000);
bench('value: flat access-log object (10 fields)', () => redactor.value(accessLogFields), 200_000);
bench('value: nested object (30 fields)', () => redactor.value(nested), 100_000);
bench('string: 2 KB free text, no card number', () => redactor.string(text), 50_000);
bench('string: 2 KB free text, one card number', () => redactor.string(textWithCard), 50_000);
bench('error: Error with cause (incl. creating it)', () => redactor.error(new Error('declined', { cause: new Error('timeout') })), 20_000);

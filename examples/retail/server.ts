/**
 * A recommendations and voice-ordering service that records the retail team's own metrics (metrics.ts)
 * next to tillwatch's built-in ones. Listens on PORT (default: a free port) and prints where:
 *
 *   node -C tillwatch-source examples/retail/server.ts     (from the repo root)
 *   curl '<url>/recommendations?customer=c-42'
 *   curl -XPOST <url>/voice/commands -d '{"text":"order two flat whites"}'
 *   curl <url>/metrics
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTillwatch } from 'tillwatch';
import { tillwatchNodeHttp } from 'tillwatch/node-http';
import { retail, VOICE_INTENTS } from './metrics.ts';

const tw = createTillwatch({ service: { name: 'retail', version: '0.1.0' } });
// One registration per metric, from the catalogue handle: names, labels and buckets come from metrics.ts.
const served = tw.metrics.register(retail.metrics.recommendations.served);
const confidence = tw.metrics.register(retail.metrics.recommendations.confidence);
const commands = tw.metrics.register(retail.metrics.voice.commands);
const ordersCreated = tw.metrics.register(retail.metrics.voice.ordersCreated);
const intentConfidence = tw.metrics.register(retail.metrics.voice.intentConfidence);

const PRODUCTS = ['flat-white', 'croissant', 'oat-latte', 'banana-bread', 'espresso', 'cold-brew'];

/** Customers with a purchase history get collaborative recommendations; the rest the popular products. */
function recommend(customer: string): { strategy: 'collaborative' | 'popular_fallback'; items: { sku: string; confidence: number }[] } {
  const seed = [...customer].reduce((n, c) => n + c.charCodeAt(0), 0);
  if (!customer.startsWith('c-')) return { strategy: 'popular_fallback', items: PRODUCTS.slice(0, 3).map((sku) => ({ sku, confidence: 0.3 })) };
  return { strategy: 'collaborative', items: [0, 1, 2].map((i) => ({ sku: PRODUCTS[(seed + i) % PRODUCTS.length] as string, confidence: 0.6 + ((seed + i) % 4) / 10 })) };
}

/** A keyword classifier standing in for the speech model: the intent and how sure it is. */
function classify(text: string): { intent: string; confidence: number } {
  const t = text.toLowerCase();
  for (const [intent, words] of [['cancel', ['cancel']], ['order_status', ['where', 'status']], ['remove_item', ['remove']], ['add_item', ['add', 'also']], ['order', ['order', 'want', 'get me']], ['help', ['help']]] as const) {
    if (words.some((w) => t.includes(w))) return { intent, confidence: t.split(' ').length > 2 ? 0.92 : 0.64 };
  }
  return { intent: 'unknown', confidence: 0.2 };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

let nextOrder = 1;
async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/recommendations') {
    const { strategy, items } = recommend(url.searchParams.get('customer') ?? '');
    served.inc({ strategy }, items.length);
    for (const item of items) confidence.observe({ strategy }, item.confidence);
    return json(res, 200, { strategy, items });
  }
  if (req.method === 'POST' && url.pathname === '/voice/commands') {
    const body = await readJson(req);
    if (typeof body?.text !== 'string') return json(res, 400, { error: 'send {"text": "..."}' });
    const { intent, confidence: sure } = classify(body.text);
    // An intent outside VOICE_INTENTS records as `other`: the label set stays closed.
    commands.inc({ intent });
    intentConfidence.observe({}, sure);
    if (intent === 'order' && sure >= 0.7) {
      ordersCreated.inc();
      return json(res, 201, { intent, order: `v-${nextOrder++}` });
    }
    return json(res, 200, { intent, understood: (VOICE_INTENTS as readonly string[]).includes(intent) });
  }
  json(res, 404, { error: 'not found' });
}

const route = (req: http.IncomingMessage): string | undefined => {
  const path = (req.url ?? '/').split('?')[0];
  return path === '/recommendations' || path === '/voice/commands' ? path : undefined;
};
const server = http.createServer(tillwatchNodeHttp(tw, handle, { route }));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  void tw.attach(server).then(() => {
    tw.markStarted();
    const { port } = server.address() as AddressInfo;
    console.log(`retail example listening on http://127.0.0.1:${port} (try /recommendations?customer=c-42, POST /voice/commands, /metrics, /health/ready)`);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUserAgent } from '../src/log/user-agent.ts';

const cases: [ua: string | undefined, family: string, device: string][] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.56', 'edge', 'desktop'],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 EdgA/126.0.0.0', 'edge', 'mobile'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0', 'opera', 'desktop'],
  ['Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36', 'samsung_internet', 'mobile'],
  ['Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Safari/537.36', 'samsung_internet', 'tablet'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'chrome', 'desktop'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', 'chrome', 'mobile'],
  ['Mozilla/5.0 (Linux; Android 12; Lenovo TB-X606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'chrome', 'tablet'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0', 'firefox', 'desktop'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15', 'firefox', 'mobile'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'safari', 'desktop'],
  ['Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'safari', 'tablet'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'safari', 'mobile'],
  ['curl/8.7.1', 'curl', 'server'],
  ['Wget/1.21.4', 'wget', 'server'],
  ['PostmanRuntime/7.39.0', 'postman', 'server'],
  ['okhttp/4.12.0', 'okhttp', 'mobile'],
  ['axios/1.7.2', 'axios', 'server'],
  ['undici', 'undici', 'server'],
  ['node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'node_fetch', 'server'],
  ['node', 'node', 'server'],
  ['python-requests/2.32.3', 'python', 'server'],
  ['Python-urllib/3.12', 'python', 'server'],
  ['Go-http-client/1.1', 'go', 'server'],
  ['Java/17.0.2', 'java', 'server'],
  ['Apache-HttpClient/4.5.14 (Java/17.0.2)', 'java', 'server'],
  ['Prometheus/2.53.0', 'prometheus', 'bot'],
  ['kube-probe/1.30', 'kube_probe', 'bot'],
  ['ELB-HealthChecker/2.0', 'health_checker', 'bot'],
  ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/126.0.6478.126 Safari/537.36', 'bot', 'bot'],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bot', 'bot'],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'bot', 'bot'],
  ['Mozilla/5.0 (Linux; Android 12; CUBOT X50) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36', 'chrome', 'mobile'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:1.0) SomeBrowser/1.0', 'other', 'desktop'],
  ['MyPosTerminal/3.2 (build 77)', 'other', 'unknown'],
  ['', 'unknown', 'unknown'],
  ['   ', 'unknown', 'unknown'],
  [undefined, 'unknown', 'unknown'],
];

for (const [ua, family, device] of cases) {
  test(`classifies ${JSON.stringify(ua?.slice(0, 60))} as ${family} / ${device}`, () => {
    assert.deepEqual(parseUserAgent(ua), { family, device });
  });
}

test('the family set is small and closed, so it is safe as a metric label', () => {
  const families = new Set(cases.map(([ua]) => parseUserAgent(ua).family));
  for (let i = 0; i < 1000; i++) families.add(parseUserAgent(`RandomAgent${i}/1.${i}`).family);
  assert.ok(families.size <= 24);
  assert.ok(families.has('other'));
});

test('repeated agents come from the cache, and the cache stays bounded under churn', () => {
  const ua = 'curl/8.7.1';
  assert.equal(parseUserAgent(ua), parseUserAgent(ua));
  for (let i = 0; i < 5000; i++) parseUserAgent(`churn-${i}`);
  // Still correct after eviction.
  assert.deepEqual(parseUserAgent(ua), { family: 'curl', device: 'server' });
});

test('a hostile, very long agent is classified from its start without throwing', () => {
  const huge = `curl/8.0 ${'A'.repeat(100_000)}`;
  assert.deepEqual(parseUserAgent(huge), { family: 'curl', device: 'server' });
  assert.doesNotThrow(() => parseUserAgent('Android'.repeat(10_000)));
});

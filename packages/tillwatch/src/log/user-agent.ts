/**
 * User-agent family and device class, for access-log lines and (later) metric labels.
 *
 * Families are a small closed set (the `UserAgentFamily` union) so they are safe as Prometheus label
 * values: an unrecognised agent is `other`, a missing one `unknown`. No dependency, no version numbers.
 */

export type UserAgentFamily =
  | 'bot'
  | 'kube_probe'
  | 'prometheus'
  | 'health_checker'
  | 'edge'
  | 'opera'
  | 'samsung_internet'
  | 'chrome'
  | 'firefox'
  | 'safari'
  | 'curl'
  | 'wget'
  | 'postman'
  | 'okhttp'
  | 'axios'
  | 'undici'
  | 'node_fetch'
  | 'node'
  | 'python'
  | 'go'
  | 'java'
  | 'other'
  | 'unknown';

export type DeviceClass = 'desktop' | 'mobile' | 'tablet' | 'bot' | 'server' | 'unknown';

export interface ParsedUserAgent {
  family: UserAgentFamily;
  device: DeviceClass;
}

/**
 * How the device class is decided for a family: `browser` looks at the platform tokens, the others are fixed.
 * Monitoring agents count as `bot` (automated, not business traffic); HTTP libraries and CLI tools as
 * `server` (integrations, scripts). okhttp is the Android HTTP client, so it is `mobile`: on a POS backend
 * it is almost always the till app on an Android terminal.
 */
type DeviceRule = DeviceClass | 'browser';

/** Ordered: the first match wins. Bots first (Googlebot's UA contains "Chrome/"), then browsers from most to least specific (Edge and Opera UAs contain "Chrome/", Chrome's contains "Safari/"). */
const TABLE: readonly (readonly [RegExp, UserAgentFamily, DeviceRule])[] = [
  [/kube-probe\//i, 'kube_probe', 'bot'],
  [/prometheus\//i, 'prometheus', 'bot'],
  [/ELB-HealthChecker|GoogleHC\/|Consul Health Check|Blackbox Exporter|UptimeRobot|Pingdom/i, 'health_checker', 'bot'],
  [/(?<!cu)bot\b|crawler|spider|slurp|facebookexternalhit|HeadlessChrome|Lighthouse/i, 'bot', 'bot'],
  [/\bEdg(?:e|A|iOS)?\//, 'edge', 'browser'],
  [/\bOPR\/|\bOpera\b/, 'opera', 'browser'],
  [/SamsungBrowser\//, 'samsung_internet', 'browser'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'chrome', 'browser'],
  [/\b(?:Firefox|FxiOS)\//, 'firefox', 'browser'],
  [/\bSafari\//, 'safari', 'browser'],
  [/^curl\//i, 'curl', 'server'],
  [/^Wget\//i, 'wget', 'server'],
  [/PostmanRuntime\//i, 'postman', 'server'],
  [/okhttp\//i, 'okhttp', 'mobile'],
  [/^axios\//i, 'axios', 'server'],
  [/^undici\b/i, 'undici', 'server'],
  [/^node-fetch\b/i, 'node_fetch', 'server'],
  [/^node\b|\bNode\.js\//i, 'node', 'server'],
  [/python|aiohttp|httpx\//i, 'python', 'server'],
  [/^Go-http-client\/|^Go\b/i, 'go', 'server'],
  [/^Java\/|Apache-HttpClient\/|\bJersey\/|ReactorNetty\//i, 'java', 'server'],
];

const TABLET = /iPad|Tablet|PlayBook|Silk\/|SM-T\d|Nexus (?:7|9|10)\b|KFAPWI/i;
const MOBILE = /Mobi|iPhone|iPod|Android|Windows Phone|BlackBerry/i;
/** Android without "Mobile" is a tablet, by Google's own UA guidance (developer.chrome.com "User-Agent Strings"). */
const ANDROID_TABLET = /Android(?!.*Mobile)/i;

function browserDevice(ua: string): DeviceClass {
  if (TABLET.test(ua) || ANDROID_TABLET.test(ua)) return 'tablet';
  if (MOBILE.test(ua)) return 'mobile';
  return 'desktop';
}

/** Longer user agents are judged by their start: real ones are under 300 characters, and a hostile 8 KB header must not cost a regex pass over all of it. */
const MAX_UA_LENGTH = 512;
const CACHE_SIZE = 512;
const cache = new Map<string, ParsedUserAgent>();
const UNKNOWN: ParsedUserAgent = Object.freeze({ family: 'unknown', device: 'unknown' });

function parse(ua: string): ParsedUserAgent {
  for (const [re, family, rule] of TABLE) {
    if (re.test(ua)) return { family, device: rule === 'browser' ? browserDevice(ua) : rule };
  }
  // Anything else mentioning Mozilla is some browser; classify the device, name it `other`.
  if (ua.startsWith('Mozilla/')) return { family: 'other', device: browserDevice(ua) };
  return { family: 'other', device: 'unknown' };
}

/**
 * Classifies a User-Agent header. Results are cached (512 most recent distinct agents, oldest evicted first).
 *
 * @param ua the header value, or undefined when absent.
 * @returns a family from a closed set and a device class; never throws.
 * @example
 * parseUserAgent('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1');
 * // => { family: 'safari', device: 'tablet' }
 * parseUserAgent('kube-probe/1.29'); // => { family: 'kube_probe', device: 'bot' }
 */
export function parseUserAgent(ua: string | undefined): ParsedUserAgent {
  if (typeof ua !== 'string') return UNKNOWN;
  const key = (ua.length > MAX_UA_LENGTH ? ua.slice(0, MAX_UA_LENGTH) : ua).trim();
  if (key === '') return UNKNOWN;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const parsed = Object.freeze(parse(key));
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(key, parsed);
  return parsed;
}

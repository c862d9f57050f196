/**
 * Which object keys and URL/form parameter names hold secrets or cardholder data.
 *
 * Names are compared after {@link normalizeKey}, so `X-API-Key`, `x_api_key` and `xApiKey` are one name.
 * The list follows what PCI DSS v4.0 forbids storing after authorisation (requirement 3.3.1: full track
 * data, card verification code, PIN and PIN block) plus the credentials OWASP's logging cheat sheet says
 * never to log (passwords, session cookies, access tokens, API keys, connection strings).
 */

/** Lowercases and drops `-`, `_` and spaces: `X-Api_Key` and `x api key` both become `xapikey`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_ ]/g, '');
}

/** Exact normalized names that are always removed. */
export const SENSITIVE_KEYS: readonly string[] = [
  // HTTP credentials
  'authorization', 'proxyauthorization', 'cookie', 'cookies', 'setcookie',
  // passwords and secrets ("pass" is nodemailer's and many SMTP/DB clients' `auth.pass`)
  'password', 'passwords', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'secrets', 'clientsecret', 'privatekey',
  // tokens and API keys
  'token', 'tokens', 'accesstoken', 'refreshtoken', 'idtoken', 'apikey', 'apikeys', 'xapikey',
  // card verification codes (CVV2/CVC2/CID/CVN/CSC)
  'cvv', 'cvc', 'cvv2', 'cvc2', 'cid', 'cvn', 'csc', 'securitycode', 'cardsecuritycode', 'cardverificationcode', 'cardverificationvalue',
  // PIN data
  'pin', 'pincode', 'pinnumber', 'pinblock',
  // magnetic-stripe track data
  'track1', 'track2', 'track3', 'trackdata', 'track1data', 'track2data', 'magstripe', 'magstripedata',
  // primary account number
  'cardnumber', 'cardno', 'pan', 'ccnumber', 'ccnum', 'creditcardnumber', 'primaryaccountnumber',
];

/**
 * Normalized suffixes that make a key sensitive (`dbPassword`, `csrfToken`, `webhookSecret`, `stripeApiKey`,
 * `giftCardNumber`). Singular only on purpose: `tokens_used` and `max_tokens` are counts, not tokens.
 */
const SENSITIVE_SUFFIXES: readonly string[] = ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey', 'cardnumber'];

/** Normalized prefixes that make a key sensitive (`password_confirmation`, `passwordHash`). */
const SENSITIVE_PREFIXES: readonly string[] = ['password', 'passwd'];

/**
 * Builds a predicate over raw key names. `extraKeys` are matched exactly after normalization.
 *
 * @param extraKeys application-specific names, e.g. `['loyaltyPin', 'x-tenant-secret']`.
 */
export function createKeyMatcher(extraKeys: readonly string[] = []): (key: string) => boolean {
  const exact = new Set<string>(SENSITIVE_KEYS);
  for (const k of extraKeys) exact.add(normalizeKey(k));
  return (key: string): boolean => {
    const k = normalizeKey(key);
    if (exact.has(k)) return true;
    for (const s of SENSITIVE_SUFFIXES) if (k.endsWith(s)) return true;
    for (const p of SENSITIVE_PREFIXES) if (k.startsWith(p)) return true;
    return false;
  };
}

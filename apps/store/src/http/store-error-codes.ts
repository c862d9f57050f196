/**
 * The core store's error codes: HTTP status and default message. docs/api.md lists them all
 * (a test checks). Feature plugins may define their own `STORE_<AREA>_<PROBLEM>` codes.
 */
export const STORE_ERROR_CODES = {
  // request shape
  STORE_MALFORMED_JSON: { status: 400, message: 'request body is not valid JSON' },
  STORE_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'request body must be application/json' },
  STORE_BODY_TOO_LARGE: { status: 413, message: 'request body is too large' },
  STORE_VALIDATION_FAILED: { status: 400, message: 'request is missing a field or has an invalid one' },
  STORE_INVALID_TEXT: { status: 400, message: 'a text field holds a NUL character or an unpaired surrogate' },
  STORE_NOT_FOUND: { status: 404, message: 'no such route' },
  STORE_BAD_REQUEST: { status: 400, message: 'the request was rejected' },
  // auth
  STORE_AUTH_REQUIRED: { status: 401, message: 'a bearer token is required' },
  STORE_AUTH_INVALID_TOKEN: { status: 401, message: 'the bearer token is invalid or expired' },
  STORE_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'unknown user or wrong password' },
  STORE_FORBIDDEN_ROLE: { status: 403, message: 'your role may not do this' },
  STORE_AUTH_RATE_LIMITED: { status: 429, message: 'too many failed logins; wait and retry (see Retry-After)' },
  STORE_RATE_LIMITED: { status: 429, message: 'too many requests from this client; wait and retry (see Retry-After)' },
  // catalogue and inventory
  STORE_UNKNOWN_SKU: { status: 422, message: 'unknown SKU' },
  STORE_UNKNOWN_LOCATION: { status: 422, message: 'unknown location' },
  STORE_INVALID_QUANTITY: { status: 422, message: 'quantity must be a positive integer' },
  STORE_INSUFFICIENT_STOCK: { status: 409, message: 'not enough stock at this location' },
  STORE_PRODUCT_NOT_FOUND: { status: 404, message: 'no such product' },
  STORE_USER_NOT_FOUND: { status: 404, message: 'no such user' },
  STORE_LAST_ADMIN: { status: 409, message: 'the last admin cannot be given another role' },
  // orders
  STORE_ORDER_NOT_FOUND: { status: 404, message: 'no such order' },
  STORE_ORDER_ALREADY_PAID: { status: 409, message: 'the order is already paid' },
  STORE_ORDER_NOT_PAID: { status: 409, message: 'the order must be paid first' },
  STORE_ORDER_INVALID_STATE: { status: 409, message: 'the order is not in a state that allows this' },
  STORE_AGE_VERIFICATION_REQUIRED: { status: 409, message: 'the order has age-restricted items and needs a passed age verification' },
  STORE_AGE_VERIFICATION_FAILED: { status: 409, message: 'the customer failed age verification; restricted items cannot be sold' },
  STORE_AGE_VERIFICATION_NOT_NEEDED: { status: 409, message: 'the order has no age-restricted items' },
  STORE_REFUND_EXCEEDS_TOTAL: { status: 409, message: 'the refund exceeds what is left to refund' },
  // payments
  STORE_PAYMENT_DECLINED: { status: 402, message: 'the payment was declined' },
  STORE_PAYMENT_PROVIDER_UNAVAILABLE: { status: 503, message: 'the payment provider is unavailable; try again or take another method' },
  STORE_PAYMENT_OUTCOME_UNKNOWN: {
    status: 503,
    message: 'the payment provider did not confirm the payment in time; it may have gone through. Do not take another payment: pay again on this order to check, the store settles it with the provider',
  },
  STORE_PAYMENT_AMOUNT_MISMATCH: { status: 409, message: 'the payment amount does not match the amount due' },
  // customers and loyalty
  STORE_CUSTOMER_NOT_FOUND: { status: 404, message: 'no such customer' },
  STORE_CUSTOMER_EXISTS: { status: 409, message: 'a customer with this email or phone exists' },
  STORE_INSUFFICIENT_POINTS: { status: 409, message: 'the customer does not have enough loyalty points' },
  // dead letters (tillwatch/delivery)
  STORE_DLQ_NOT_FOUND: { status: 404, message: 'no such dead letter (replayed or purged already?)' },
  // server
  STORE_INTERNAL: { status: 500, message: 'internal error' },
  STORE_UNAVAILABLE: { status: 503, message: 'the store is starting or shutting down' },
  STORE_DATABASE_UNAVAILABLE: { status: 503, message: 'the database is unavailable or did not answer in time; nothing was changed by this request, try again' },
} as const satisfies Record<string, { status: number; message: string }>;

export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

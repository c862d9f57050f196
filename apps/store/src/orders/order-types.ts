/** The bounded vocabularies of an order; they double as metric label values. */
export const CHANNELS = ['in_store', 'online', 'voice', 'kiosk'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PAYMENT_METHODS = ['card', 'cash', 'gift_card', 'mobile'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const ORDER_STATUSES = ['open', 'paid', 'completed', 'voided', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const AGE_VERIFICATION_METHODS = ['id_scan', 'manual_dob', 'visual'] as const;
export type AgeVerificationMethod = (typeof AGE_VERIFICATION_METHODS)[number];

export const ROLES = ['cashier', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

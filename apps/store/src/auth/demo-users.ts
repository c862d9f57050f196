/**
 * The demo users, created at start-up when missing (README "Demo credentials"). Their passwords are
 * public: never run a store reachable from outside with them (set up real users instead).
 */
import type { Role } from '../orders/order-types.ts';

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly displayName: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'cashier', password: 'demo-cashier-pw', role: 'cashier', displayName: 'Casey Cashier' },
  { username: 'manager', password: 'demo-manager-pw', role: 'manager', displayName: 'Morgan Manager' },
  { username: 'admin', password: 'demo-admin-pw', role: 'admin', displayName: 'Alex Admin' },
];

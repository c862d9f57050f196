/** Password hashing with scrypt (node:crypto) and a constant-time comparison. */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_LENGTH = 32;

export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<{ hash: string; salt: string }> {
  const key = await scrypt(password, salt, KEY_LENGTH);
  return { hash: key.toString('hex'), salt: salt.toString('hex') };
}

export async function verifyPassword(password: string, hashHex: string, saltHex: string): Promise<boolean> {
  const expected = Buffer.from(hashHex, 'hex');
  const key = await scrypt(password, Buffer.from(saltHex, 'hex'), KEY_LENGTH);
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/**
 * A hash of a password nobody has, verified against when the username is unknown, so "unknown user"
 * and "wrong password" take the same time and cannot be told apart by timing.
 */
let dummy: Promise<{ hash: string; salt: string }> | undefined;
export function dummyHash(): Promise<{ hash: string; salt: string }> {
  dummy ??= hashPassword(randomBytes(24).toString('hex'));
  return dummy;
}

/**
 * Ed25519 keys of the checkpoints and archives. The private key signs (the service, from its config); the public
 * key verifies (an auditor, `tillwatch audit verify --public-key`). Keys are PEM (PKCS#8 private, SPKI public), as
 * `openssl genpkey -algorithm ed25519` writes them; the key id is the first 16 hex digits of the public key's
 * SHA-256, so a checkpoint names the key that signed it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as PEM, to hand to auditors. */
  readonly publicKeyPem: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Loads a PEM Ed25519 private key. @throws Error naming what was expected, never echoing the key. */
export function signingKeyFromPem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error('audit signing key: expected a PEM (PKCS#8) Ed25519 private key; could not parse the one given');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`audit signing key: expected an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'an unknown type'}`);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A fresh key pair; returns it with the private key as PEM, to store. */
export function generateSigningKey(): SigningKey & { readonly privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { ...signingKeyFromPem(privateKeyPem), privateKeyPem };
}

export function publicKeyFromPem(pem: string): KeyObject {
  const k = createPublicKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new Error(`audit public key: expected an Ed25519 key, got ${k.asymmetricKeyType ?? 'an unknown type'}`);
  return k;
}

export function signText(key: SigningKey, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

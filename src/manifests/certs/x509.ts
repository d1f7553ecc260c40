import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** @peculiar/x509 bound to Node's WebCrypto; import x509 from here so the provider is always set. */
// The library types the provider as the DOM `Crypto`, which this Node-only build has no lib for.
x509.cryptoProvider.set(webcrypto as never);

export { x509 };
export const subtle = webcrypto.subtle;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

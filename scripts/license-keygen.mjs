// Makes an Ed25519 key pair for license tokens.
// usage: node scripts/license-keygen.mjs
// Prints the private key (PKCS#8 DER, base64: the edge function's LICENSE_SIGNING_KEY secret)
// and the public key (raw 32 bytes, base64url: the app's VITE_LICENSE_PUBLIC_KEY at build time).
import { generateKeyPairSync } from 'node:crypto';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64url');
console.log(`LICENSE_SIGNING_KEY=${pkcs8}`);
console.log(`VITE_LICENSE_PUBLIC_KEY=${raw}`);

// Run from pkg/keys/testdata with NODE_PATH=../../../oracle/node_modules node keystore_oracle.js
// (after npm ci --prefix oracle): prints what jose 2.0.7 JWKS.asKeyStore throws
// for a good set plus one malformed entry; keystore.go reproduces these.
// Loads JWK Sets the way jose 2.x's JWKS.asKeyStore does and prints the
// error class and message for each.
const { JWKS, errors } = require('jose')
const good = require('./jwks.good.json').keys[0]
const other = { kty: 'RSA', kid: 'other', n: good.n, e: 'AQAB' }
const sets = {
  'use foo': { ...other, use: 'foo' },
  'contradicting key_ops': { ...other, use: 'sig', key_ops: ['encrypt'] },
  'unknown kty': { kty: 'foo', kid: 'other' },
  'Ed448': { kty: 'OKP', crv: 'Ed448', kid: 'other', x: 'X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA' },
  'X25519': { kty: 'OKP', crv: 'X25519', kid: 'other', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo' },
  'garbage x5c': { ...other, x5c: ['bm90IGEgY2VydA'] },
  'empty alg': { ...other, alg: '' },
  'secp256k1': { kty: 'EC', crv: 'secp256k1', kid: 'other', x: 'AA', y: 'AA' },
  'key_ops verify only sign': { ...other, key_ops: ['sign'] },
  'use enc': { ...other, use: 'enc' },
  'alg PS384 on RSA': { ...other, alg: 'PS384' },
  'alg RS384 on EC': { kty: 'EC', crv: 'P-384', kid: 'x', x: 'iFC-VB2-0A-FdwBYhKJqrllRzdlOTrKenVocOjUcjYsr0DSJ5TA72Lw1Qh2f4DaG', y: 'hAEkl0o4yi8ixhPL3_fyAbJAUXWQVfIS6knLsXWGwhHBMGJg_Fl5jzYazCGyq1Al', alg: 'RS384' },
  'alg foo': { ...other, alg: 'foo' },
  'no kty': { kid: 'x' },
  'private': { kty: 'oct', k: 'AAAA', kid: 'x' },
}
for (const [name, entry] of Object.entries(sets)) {
  try {
    JWKS.asKeyStore({ keys: [good, entry] })
    console.log(JSON.stringify({ name, ok: true }))
  } catch (err) {
    console.log(JSON.stringify({ name, class: err.constructor.name, jose: err instanceof errors.JOSEError, code: err.code, message: err.message }))
  }
}

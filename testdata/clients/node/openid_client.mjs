// Gets a token from a token endpoint with panva/openid-client and
// private_key_jwt, as an application would, and prints one JSON line per
// attempt: {"ok":true,...} or the error the server answered with.
//
// node openid_client.mjs --token-url=URL --client-id=ID --key=PEM --kid=KID
//   [--alg=RS384] [--aud=URL] [--jti=JTI] [--typ=JWT] [--times=N]
import { readFileSync } from 'node:fs';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as client from 'openid-client';

const args = {};
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (!m) throw new Error(`bad argument ${a}`);
  args[m[1]] = m[2];
}

const keyObject = createPrivateKey(readFileSync(args.key, 'utf8'));
const der = keyObject.export({ type: 'pkcs8', format: 'der' });
const alg = args.alg || (keyObject.asymmetricKeyType === 'ec' ? 'ES384' : 'RS384');
const algorithm = alg.startsWith('ES')
  ? { name: 'ECDSA', namedCurve: 'P-' + alg.slice(2) }
  : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-' + alg.slice(2) };
const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);

const tokenURL = new URL(args['token-url']);
const auth = client.PrivateKeyJwt({ key, kid: args.kid }, {
  [client.modifyAssertion]: (header, payload) => {
    if (args.aud) payload.aud = args.aud;
    if (args.jti) payload.jti = args.jti;
    if (args.typ) header.typ = args.typ;
  },
});
const config = new client.Configuration(
  { issuer: tokenURL.origin, token_endpoint: tokenURL.href },
  args['client-id'], {}, auth);
if (tokenURL.protocol === 'http:') client.allowInsecureRequests(config);

for (let i = 0; i < Number(args.times || 1); i++) {
  try {
    const tokens = await client.clientCredentialsGrant(config);
    console.log(JSON.stringify({ ok: true, token_type: tokens.token_type, has_access_token: Boolean(tokens.access_token) }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, status: e.status, error: e.error, error_description: e.error_description, message: e.message }));
  }
}

// Test-only: runs panva/node-oidc-provider on 127.0.0.1 with one
// private_key_jwt client, for clientassert's differential tests.
//
// Reads one JSON object on stdin:
//   {"port":0,"client_id":"...","jwks":{"keys":[...]},
//    "alg":"RS384"  (optional: the client's token_endpoint_auth_signing_alg)}
// Prints on stdout, one JSON object a line:
//   {"ready":true,"url":...,"issuer":...,"token_url":...} once listening, then
//   {"request":ID,"status":N,"event":...,"error":...,"error_detail":...} for
//   every request, written before the response goes out. ID is the
//   X-Realserver-Request header the harness sends; the server never reads it.
// The side channel never changes a response byte.
import * as http from 'node:http';

import Provider from 'oidc-provider';

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function line(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const cfg = JSON.parse(await readStdin());
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(cfg.port || 0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const client = {
  client_id: cfg.client_id,
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: cfg.jwks,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
};
if (cfg.alg) {
  client.token_endpoint_auth_signing_alg = cfg.alg;
}

const provider = new Provider(issuer, {
  clients: [client],
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
  },
  enabledJWA: {
    clientAuthSigningAlgValues: ['HS256', 'RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'Ed25519', 'EdDSA'],
  },
});

// Error events carry the reason the response keeps back (error_detail).
for (const event of ['grant.error', 'server_error']) {
  provider.on(event, (ctx, err) => {
    ctx.state.realserverError = { event, err };
  });
}

provider.use(async (ctx, next) => {
  const id = ctx.get('x-realserver-request');
  await next();
  if (!id) return;
  const out = { request: id, status: ctx.status };
  const recorded = ctx.state.realserverError;
  if (recorded) {
    const { event, err } = recorded;
    out.event = event;
    out.error = err.error || err.message;
    if (err.error_description !== undefined) out.error_description = err.error_description;
    if (err.error_detail !== undefined) out.error_detail = String(err.error_detail);
    if (event === 'server_error') out.exception = String(err && err.stack);
  }
  line(out);
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdin.resume();

const tokenURL = `${issuer}/token`;
line({
  ready: true, url: `http://127.0.0.1:${port}`, issuer, token_url: tokenURL,
});

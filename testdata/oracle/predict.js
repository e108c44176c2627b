#!/usr/bin/env node
'use strict'

// predict.js models the Redox token endpoint's client assertion checks on top
// of panva/jose 2.0.7, the library the server validates with. It is the
// ground truth of internal/difftest: every case the Go test generates is run
// through here and clientassert's prediction must equal the answer.
//
// Input: JSON lines on stdin, one case each:
//   {"id": ..., "content_type": string|null, "body": "<urlencoded form>",
//    "clients": {"<client_id>": <JWKS>}, "token_url": "...", "now": <unix s>}
// Output: one JSON line per case on stdout, in input order:
//   {"id": ..., "status": 200} or {"id": ..., "status": 400, "error_description": "..."}

const querystring = require('querystring')
const readline = require('readline')
const { JWT, JWK, errors } = require('jose')

const FORM = 'application/x-www-form-urlencoded'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const KEY_NOT_FOUND = 'Public key not found, check client_id, kid and Redox dashboard settings'

class Reject extends Error {}

const reject = (description) => { throw new Reject(description) }

function checkRequest (c) {
  const ct = c.content_type
  const media = typeof ct === 'string' ? ct.split(';')[0].trim().toLowerCase() : ''
  if (media !== FORM) reject('x-www-form-urlencoded content-type required')

  // The body is read the way Express's urlencoded parser reads it
  // (querystring): a name sent twice becomes an array, which then equals
  // no expected string, and a leading '?' stays part of the first name.
  const params = querystring.parse(c.body)
  const has = (name) => Object.prototype.hasOwnProperty.call(params, name)
  if (!has('grant_type')) reject('Missing grant_type parameter')
  if (params.grant_type !== 'client_credentials') reject("The grant_type parameter should equal 'client_credentials'")
  if (!has('client_assertion_type')) reject('Missing client assertion type')
  if (params.client_assertion_type !== ASSERTION_TYPE) reject('Invalid client assertion type')
  if (!params.client_assertion) reject('Missing client assertion')
  return params.client_assertion
}

function validate (c) {
  const token = checkRequest(c)
  const clients = new Map(Object.entries(c.clients || {}))

  const { header, payload } = JWT.decode(token, { complete: true })
  if (!header.kid) reject('JWT header kid property is required')
  if (typeof payload.iss !== 'string' || !clients.has(payload.iss)) reject(KEY_NOT_FOUND)
  const jwks = clients.get(payload.iss)
  const jwk = jwks.keys.find(k => k.kid === header.kid)
  if (!jwk) reject(KEY_NOT_FOUND)

  JWT.verify(token, JWK.asKey(jwk), {
    algorithms: ['RS384', 'ES384'],
    audience: c.token_url,
    maxTokenAge: '5m',
    clockTolerance: '10s',
    now: new Date(c.now * 1000)
  })
}

function answer (c) {
  try {
    validate(c)
    return { id: c.id, status: 200 }
  } catch (err) {
    if (err instanceof Reject) return { id: c.id, status: 400, error_description: err.message }
    if (err instanceof errors.JOSEError) return { id: c.id, status: 400, error_description: err.message }
    const out = { id: c.id, status: 400, error_description: '' }
    if (process.env.ORACLE_DEBUG) out.internal = String(err && err.stack)
    return out
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (!line.trim()) return
  let c
  try {
    c = JSON.parse(line)
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: null, fatal: 'bad input line: ' + err.message }) + '\n')
    return
  }
  process.stdout.write(JSON.stringify(answer(c)) + '\n')
})

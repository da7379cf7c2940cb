'use strict'
// Shared helpers for the Node suite.

const fs = require('node:fs')
const path = require('node:path')
const capsign = require('capsign')

const VECTORS = path.resolve(__dirname, '..', 'vectors')
const SECRET = 'node-test-secret-0123456789'
const NOW = 1_700_000_000

/** Expands `{repeat: c, times: n, then: rest}` (how the vectors write huge strings). */
function expand(value) {
  if (Array.isArray(value)) return value.map(expand)
  if (value !== null && typeof value === 'object') {
    if ('repeat' in value) return value.repeat.repeat(value.times) + value.then
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]))
  }
  return value
}

function loadVectors(name) {
  const vectors = expand(JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')))
  if (!Array.isArray(vectors) || vectors.length === 0) throw new Error(`${name} is empty`)
  return vectors
}

/** snake_case keys of the vectors' claims and requests, as the Node API names them. */
function camel(object) {
  const out = {}
  for (const [key, value] of Object.entries(object ?? {})) {
    out[key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = value
  }
  return out
}

/** The verifier a verify vector describes. */
function vectorVerifier(v) {
  const i = v.input
  const options = { leeway: i.leeway, minSecretLen: i.min_secret_len, publicKeys: i.public_keys, keySet: i.key_set }
  if (i.keys) options.keys = i.keys
  return new capsign.Verifier(i.secret, options)
}

/** Runs a verify vector's credentials and request through `verifier`. */
function verifyVector(verifier, v) {
  const i = v.input
  if (i.check !== undefined) {
    const r = i.route
    const route = new capsign.Route({
      call: r.call,
      command: r.command,
      perRequest: r.per_request,
      rest: r.rest,
      rpc: r.rpc,
      ignore: r.ignore,
      fields: r.fields,
      securityTask: r.security_task,
      authenticateOnly: r.authenticate_only,
    })
    const c = i.check
    const authorization = c.authorization ?? []
    return verifier.checkHttp(route, {
      method: c.method,
      target: c.target,
      authorization: authorization.length === 1 ? authorization[0] : authorization.length === 0 ? undefined : authorization,
      fields: c.fields,
      command: c.command,
      now: v.now,
    })
  }
  const request = { ...(i.request ?? {}), now: v.now }
  if (request.rest) request.rest = { method: request.rest[0], target: request.rest[1] }
  if (i.token !== undefined) return verifier.verifyToken(i.token, request)
  if (i.http !== undefined) {
    return verifier.verifyHttp(i.http.authorization, i.http.policy, i.http.signature, request)
  }
  return verifier.verify(i.policy, i.signature, request)
}

module.exports = { loadVectors, camel, vectorVerifier, verifyVector, SECRET, NOW, VECTORS }

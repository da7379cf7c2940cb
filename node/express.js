'use strict'
// capsign/express: verify every request natively.
//
//   const { Verifier, KUBO_IGNORE } = require('capsign')
//   const { capsign } = require('capsign/express')
//   const verifier = new Verifier(process.env.CAPSIGN_SECRET)
//   app.get('/files/:handle', capsign({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle }) }), h)
//   app.post('/api/v0/{*rest}', capsign({ verifier, rpc: '/api/v0', ignore: KUBO_IGNORE }), h)
//   app.use('/files', capsign({ verifier, rest: true }))
//
// Every middleware names what its route needs — a `call`, a `command` (fixed or a function
// of the request), `rest: true` or `rpc: prefix` — or says `authenticateOnly: true`; one
// that names nothing is refused when it is made. Credentials come from
// `Authorization: Bearer <token>` (given once), the `policy` and `signature` query
// parameters, or (`securityTask: true`) Filestack's `security=p:…,s:…` path task; never
// from cookies. `fields` gives `handle`, `url`, `path`, `container` and `size`; nothing
// else it returns is read. Refusals are the core's (RFC 6750): status, `WWW-Authenticate`,
// headers and JSON body. On success the verified Grant is `req.capsign` (the permission
// that allowed the command is `req.capsign.matched`). One native call per request; works
// with Express 4 and 5 (and plain `http`). With `store` (a MemoryStore, or a RedisStore
// shared by every instance), revoked and spent credentials are refused too, after every
// other check; without one the middleware stays synchronous.
//
// A verifier with Ed25519 public keys can publish them (never a secret):
//   app.get('/.well-known/capsign-keys.json', keySet(verifier))

const { Verifier, Route, REFUSAL_HEADERS, challenge } = require('./index.js')

const CHALLENGE = challenge()
const hasOwn = Object.prototype.hasOwnProperty

/** `value` (read as `object.key`) if `key` is the object's own property. */
function own(object, value, key) {
  return value === undefined || hasOwn.call(object, key) ? value : undefined
}

/**
 * The request's `Authorization` header: its value, or every value when it was given more
 * than once (Node keeps only the first in `req.headers`; the core refuses the repeat).
 */
function authorization(req) {
  const raw = req.rawHeaders
  if (!Array.isArray(raw)) return req.headers?.authorization
  let first
  let all
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      if (first === undefined) first = raw[i + 1]
      else (all ??= [first]).push(raw[i + 1])
    }
  }
  return all ?? first
}

function capsign(options) {
  const verifier = own(options, options?.verifier, 'verifier')
  if (!(verifier instanceof Verifier)) {
    throw new TypeError('capsign(): options.verifier must be a capsign Verifier')
  }
  const command = own(options, options?.command, 'command')
  const fields = own(options, options?.fields, 'fields')
  const log = own(options, options?.log, 'log')
  const store = own(options, options?.store, 'store')
  if (store != null && typeof store.check !== 'function') {
    throw new TypeError('capsign(): options.store must be a MemoryStore or RedisStore')
  }
  const perRequest = typeof command === 'function'
  const route = new Route({
    call: own(options, options?.call, 'call'),
    command: perRequest ? undefined : command,
    perRequest,
    rest: own(options, options?.rest, 'rest'),
    rpc: own(options, options?.rpc, 'rpc'),
    ignore: own(options, options?.ignore, 'ignore'),
    fields: typeof fields === 'function',
    securityTask: own(options, options?.securityTask, 'securityTask'),
    authenticateOnly: own(options, options?.authenticateOnly, 'authenticateOnly'),
  })
  return function capsignMiddleware(req, res, next) {
    let grant
    try {
      grant = verifier.checkHttp(route, {
        method: req.method,
        // The target as sent: path still percent-encoded, mount path included.
        target: req.originalUrl ?? req.url,
        authorization: authorization(req),
        fields: typeof fields === 'function' ? fields(req) : undefined,
        command: perRequest ? command(req) : undefined,
      })
    } catch (e) {
      if (e instanceof Error && e.name === 'CapsignError') return refuse(req, res, e, log)
      return next(e)
    }
    if (store == null) {
      req.capsign = grant
      return next()
    }
    // Last, once everything else holds: forged, expired or denied requests never reach
    // the store. A MemoryStore answers at once; a RedisStore with a promise.
    const failed = (e) => (e instanceof Error && e.name === 'CapsignError' ? refuse(req, res, e, log) : next(e))
    let pending
    try {
      pending = store.check(grant)
    } catch (e) {
      return failed(e)
    }
    const allowed = () => {
      req.capsign = grant
      next()
    }
    if (pending && typeof pending.then === 'function') return pending.then(allowed, failed)
    return allowed()
  }
}

/**
 * A handler serving `verifier`'s public keys as a JWK Set (`application/jwk-set+json`).
 * Refused at setup for a verifier without public keys: secrets are never served.
 */
function keySet(verifier) {
  if (!(verifier instanceof Verifier)) throw new TypeError('keySet(): a capsign Verifier is needed')
  const body = verifier.keySet()
  if (body == null) throw new TypeError('keySet(): this verifier has no public keys to serve')
  return function capsignKeySet(req, res) {
    res.statusCode = 200
    res.setHeader('Content-Type', 'application/jwk-set+json')
    res.setHeader('Cache-Control', 'public, max-age=300')
    res.end(body)
  }
}

/** Writes the core's refusal for `error`. */
function refuse(req, res, error, log) {
  if (typeof log === 'function') {
    const target = req.originalUrl ?? req.url
    log({ status: error.status, code: error.code, method: req.method, path: target.split('?')[0] })
  }
  res.statusCode = error.status
  res.setHeader('WWW-Authenticate', error.challenge)
  for (const [name, value] of REFUSAL_HEADERS) res.setHeader(name, value)
  res.end(error.body)
}

module.exports = { capsign, keySet, refuse, authorization, CHALLENGE }

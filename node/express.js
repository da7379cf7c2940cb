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

const { Verifier, challenge } = require('./index.js')
const { authorization, configure, check, refusalHeaders, logRefusal } = require('./adapter.js')

const CHALLENGE = challenge()

function capsign(options) {
  const config = configure(options, 'capsign()')
  return function capsignMiddleware(req, res, next) {
    return check(
      config,
      req,
      req,
      (grant) => {
        req.capsign = grant
        next()
      },
      (error) => refuse(req, res, error, config.log),
      next,
    )
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
  logRefusal(typeof log === 'function' ? log : null, req.method, Object.hasOwn(req, 'originalUrl') ? req.originalUrl : req.url, error)
  res.statusCode = error.status
  for (const [name, value] of refusalHeaders(error)) res.setHeader(name, value)
  res.end(error.body)
}

module.exports = { capsign, keySet, refuse, authorization, CHALLENGE }

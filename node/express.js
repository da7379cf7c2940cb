'use strict'
// capsign/express: verify every request natively.
//
//   const { Verifier } = require('capsign')
//   const { capsign } = require('capsign/express')
//   const verifier = new Verifier(process.env.CAPSIGN_SECRET)
//   app.get('/files/:handle', capsign({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle }) }), h)
//   app.post('/api/v0/*', capsign({ verifier, rpc: '/api/v0' }), h)
//   app.use('/files', capsign({ verifier, rest: true }))
//
// Credentials come from `Authorization: Bearer <token>` or the `policy` and `signature`
// query parameters, never from cookies. Refusals follow RFC 6750: 401 with
// `WWW-Authenticate` for missing or bad credentials, 403 for a request they do not allow,
// 400 for a request that cannot be a command; the body is {"error": code, "message": text}.
// On success the verified Grant is `req.capsign` (the permission that allowed the command
// is `req.capsign.matched`). Works with Express 4 and 5 (and plain `http`).

const { Verifier, challenge } = require('./index.js')

const CHALLENGE = challenge()
const NONE = Object.freeze([])

function capsign(options) {
  const { verifier, call, command, rest = false, rpc, fields, log } = options ?? {}
  if (!(verifier instanceof Verifier)) {
    throw new TypeError('capsign(): options.verifier must be a capsign Verifier')
  }
  if ([command !== undefined, rest === true, rpc !== undefined].filter(Boolean).length > 1) {
    throw new TypeError('capsign(): give at most one of command, rest and rpc')
  }
  return function capsignMiddleware(req, res, next) {
    // The target as sent: path still percent-encoded, mount path included.
    const target = req.originalUrl ?? req.url
    const q = target.indexOf('?')
    const query = q === -1 ? null : new URLSearchParams(target.slice(q + 1))
    const request = {
      ...(typeof fields === 'function' ? fields(req) : undefined),
      call,
      command: typeof command === 'function' ? command(req) : command,
      rest: rest ? { method: req.method, target } : undefined,
      rpc: rpc === undefined ? undefined : { prefix: rpc, target },
    }
    let grant
    try {
      grant = verifier.verifyHttp(
        req.headers.authorization,
        query === null ? NONE : query.getAll('policy'),
        query === null ? NONE : query.getAll('signature'),
        request,
      )
    } catch (e) {
      if (e instanceof Error && e.name === 'CapsignError') {
        return refuse(req, res, e.status, e.challenge, e.code, e.message, log)
      }
      return next(e)
    }
    if (grant === null) {
      return refuse(req, res, 401, CHALLENGE, 'missing_credentials', 'no credentials were presented', log)
    }
    req.capsign = grant
    return next()
  }
}

function refuse(req, res, status, challengeValue, code, message, log) {
  if (typeof log === 'function') {
    const target = req.originalUrl ?? req.url
    log({ status, code, method: req.method, path: target.split('?')[0] })
  }
  res.statusCode = status
  res.setHeader('WWW-Authenticate', challengeValue)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.end(JSON.stringify({ error: code, message }))
}

module.exports = { capsign, CHALLENGE }

'use strict'
// What every web adapter (capsign/express, capsign/fastify) shares: reading the options as
// own properties, the core's route for them, the request's Authorization headers, and
// the refusal's headers. The decisions are the core's (Route, Verifier.checkHttp and the
// error's status, challenge and body).

const { Http2ServerRequest } = require('node:http2')
const { CapsignError, MemoryStore, Verifier, Route, REFUSAL_HEADERS } = require('./index.js')

const hasOwn = Object.prototype.hasOwnProperty
// Node's HTTP/2 compatibility request (Fastify with `http2: true`) reads `url` and
// `rawHeaders` through accessors of its prototype: those, as Node defined them, are the
// request's own.
const H2 = Http2ServerRequest.prototype
const H2_GETTERS = { url: Object.getOwnPropertyDescriptor(H2, 'url')?.get, rawHeaders: Object.getOwnPropertyDescriptor(H2, 'rawHeaders')?.get }

/** Whether `req[name]` is read by Node's own HTTP/2 accessor, unchanged. */
function nodeH2(req, name) {
  if (!(req instanceof Http2ServerRequest) || H2_GETTERS[name] === undefined) return false
  let owner = Object.getPrototypeOf(req)
  while (owner !== null && !hasOwn.call(owner, name)) owner = Object.getPrototypeOf(owner)
  return owner === H2 && Object.getOwnPropertyDescriptor(H2, name).get === H2_GETTERS[name]
}

/** `value` (read as `object.key`) if `key` is the object's own property. */
function own(object, value, key) {
  return value === undefined || hasOwn.call(object, key) ? value : undefined
}

/**
 * The request's `Authorization` header: its value, or every value when it was given more
 * than once (Node keeps only the first in `req.headers`; the core refuses the repeat).
 */
function authorization(req) {
  const raw = hasOwn.call(req, 'rawHeaders') || nodeH2(req, 'rawHeaders') ? req.rawHeaders : undefined
  if (!Array.isArray(raw)) return hasOwn.call(req, 'headers') ? own(req.headers, req.headers?.authorization, 'authorization') : undefined
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

/**
 * The request target as sent (path still percent-encoded, mount path included), from the
 * request's own properties. A target that a prototype supplies is prototype pollution:
 * Express copies an inherited `originalUrl` into the request as its own, so the value
 * could not be trusted even then; the request fails (500), never decided on that value.
 */
function target(req) {
  const proto = Object.getPrototypeOf(req)
  if (proto !== null && ('originalUrl' in proto || ('url' in proto && !nodeH2(req, 'url')))) {
    throw new Error('capsign: a prototype of the request defines `originalUrl` or `url` (prototype pollution); refusing to read the request target')
  }
  return hasOwn.call(req, 'originalUrl') ? req.originalUrl : req.url
}

/**
 * The checked configuration of one middleware or hook: the verifier, the core's route
 * (made now, so options that name nothing throw at setup), and the per-request parts.
 */
function configure(options, where) {
  const verifier = own(options, options?.verifier, 'verifier')
  if (!(verifier instanceof Verifier)) {
    throw new TypeError(`${where}: options.verifier must be a capsign Verifier`)
  }
  const store = own(options, options?.store, 'store')
  if (store != null && typeof store.check !== 'function') {
    throw new TypeError(`${where}: options.store must be a MemoryStore or RedisStore`)
  }
  const command = own(options, options?.command, 'command')
  const fields = own(options, options?.fields, 'fields')
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
  const log = own(options, options?.log, 'log')
  return {
    verifier,
    store,
    route,
    log: typeof log === 'function' ? log : null,
    fields: typeof fields === 'function' ? fields : null,
    command: perRequest ? command : null,
  }
}

/**
 * Checks `req` (its framework request is `frameworkReq`, given to `fields` and `command`)
 * with `config`; calls `allowed(grant)` or `refused(error)` (a CapsignError) or
 * `failed(error)` (anything else), at once or once the store answers.
 */
function check(config, req, frameworkReq, allowed, refused, failed) {
  // A MemoryStore is asked in the same native call, after everything else holds.
  const inline = config.store instanceof MemoryStore
  let grant
  try {
    const method = req.method
    const raw = target(req)
    const auth = authorization(req)
    // The credentials first: the application's functions (which may read the body)
    // never run, and never decide the answer, for a request whose credentials fail.
    if (config.fields || config.command) {
      config.verifier.authenticateHttp(config.route, { method, target: raw, authorization: auth })
    }
    grant = config.verifier.checkHttp(config.route, {
      method,
      target: raw,
      authorization: auth,
      fields: config.fields ? config.fields(frameworkReq) : undefined,
      command: config.command ? config.command(frameworkReq) : undefined,
      store: inline ? config.store : undefined,
    })
  } catch (e) {
    return e instanceof CapsignError ? refused(e) : failed(e)
  }
  if (config.store == null || inline) return allowed(grant)
  // Last, once everything else holds: forged, expired or denied requests never reach the
  // store. A MemoryStore answers at once; a RedisStore with a promise.
  const settle = (e) => (e instanceof CapsignError ? refused(e) : failed(e))
  let pending
  try {
    pending = config.store.check(grant)
  } catch (e) {
    return settle(e)
  }
  if (pending && typeof pending.then === 'function') return pending.then(() => allowed(grant), settle)
  return allowed(grant)
}

/** The refusal's headers: `WWW-Authenticate`, then the core's others. */
function refusalHeaders(error) {
  return [['WWW-Authenticate', error.challenge], ...REFUSAL_HEADERS]
}

/** Calls `log` (if any) with what a refusal may say: no token, no query. */
function logRefusal(log, method, target, error) {
  if (log) log({ status: error.status, code: error.code, method, path: String(target).split('?')[0] })
}

module.exports = { own, authorization, target, configure, check, refusalHeaders, logRefusal }

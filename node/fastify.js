'use strict'
// capsign/fastify: verify every request natively, in a preHandler hook.
//
//   const fastify = require('fastify')()
//   const { Verifier, KUBO_IGNORE } = require('capsign')
//   fastify.register(require('capsign/fastify'), { verifier: new Verifier(process.env.CAPSIGN_SECRET) })
//   fastify.register(async (app) => {
//     app.get('/files/:handle', { onRequest: app.capsign({ call: 'read', fields: (req) => ({ handle: req.params.handle }) }) },
//       async (req) => ({ expiry: req.capsign.expiry }))
//     app.post('/api/v0/*', { onRequest: app.capsign({ rpc: '/api/v0', ignore: KUBO_IGNORE }) }, handler)
//   })
//
// The plugin decorates the instance with `capsign(options)`, which returns a hook for
// `onRequest` (recommended: the credentials are checked before the body is read) or
// `preHandler`, taking the options of capsign/express (`call`, `command`, `rest`, `rpc`, `ignore`,
// `fields`, `securityTask`, `authenticateOnly`, `log`; `verifier` and `store` default to
// the plugin's). `fields` and a per-request `command` are functions of the Fastify
// request. The credentials, the refusal (status, `WWW-Authenticate`, JSON body) and the
// order of the checks are the core's, as in capsign/express. The grant is
// `request.capsign`. `keySetHandler()` serves the verifier's public keys.

const { Verifier } = require('./index.js')
const { own, configure, check, refusalHeaders, logRefusal } = require('./adapter.js')

function capsignPlugin(fastify, options, done) {
  const verifier = own(options, options?.verifier, 'verifier')
  if (!(verifier instanceof Verifier)) {
    return done(new TypeError('capsign/fastify: options.verifier must be a capsign Verifier'))
  }
  const store = own(options, options?.store, 'store')
  fastify.decorateRequest('capsign', null)
  fastify.decorate('capsign', function capsign(routeOptions) {
    const merged = { verifier, store }
    // Own properties only; an option given as undefined keeps the plugin's (a route cannot
    // turn the store off by accident).
    for (const key of Object.keys(routeOptions ?? {})) {
      if (routeOptions[key] !== undefined) merged[key] = routeOptions[key]
    }
    const config = configure(merged, 'app.capsign()')
    return function capsignHook(request, reply, next) {
      check(
        config,
        request.raw,
        request,
        (grant) => {
          request.capsign = grant
          next()
        },
        (error) => {
          logRefusal(config.log, request.method, request.raw.url, error)
          reply.code(error.status).headers(Object.fromEntries(refusalHeaders(error))).send(error.body)
        },
        next,
      )
    }
  })
  fastify.decorate('capsignKeySet', function capsignKeySet() {
    const text = verifier.keySet()
    if (text == null) throw new TypeError('capsignKeySet(): this verifier has no public keys to serve')
    const body = Buffer.from(text)
    return async function keySetHandler(request, reply) {
      reply.header('Content-Type', 'application/jwk-set+json').header('Cache-Control', 'public, max-age=300')
      return body
    }
  })
  done()
}

// As fastify-plugin does: the decorators are visible to the whole instance.
capsignPlugin[Symbol.for('skip-override')] = true
capsignPlugin[Symbol.for('fastify.display-name')] = 'capsign'
capsignPlugin[Symbol.for('plugin-meta')] = { name: 'capsign', fastify: '>=4' }

module.exports = capsignPlugin
module.exports.default = capsignPlugin
module.exports.capsign = capsignPlugin

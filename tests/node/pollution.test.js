'use strict'
// Prototype pollution never changes a decision: the package reads only own properties
// of options, keys, claims, requests and fields. (Its own process: node:test runs each
// file apart, so the pollution below reaches no other suite.)

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const capsign = require('capsign')
const { capsign: middleware } = require('capsign/express')
const { SECRET } = require('./helpers.js')

const NOW = 1_700_000_000
const signer = new capsign.Signer(SECRET)
const expired = signer.issue({ call: ['read'], handle: 'H', expiry: NOW, now: NOW - 60 }).token
const genuine = signer.issue({ call: ['read'], handle: 'H', expiresIn: 600 })

function pollute(values) {
  for (const [key, value] of Object.entries(values)) Object.prototype[key] = value
  return () => {
    for (const key of Object.keys(values)) delete Object.prototype[key]
  }
}

test('an inherited `now` is not the time of a check', () => {
  const verifier = new capsign.Verifier(SECRET)
  const restore = pollute({ now: 0 })
  try {
    assert.throws(() => verifier.verifyToken(expired, { call: 'read', handle: 'H' }), { code: 'expired' })
    assert.throws(() => verifier.verifyToken(expired), { code: 'expired' })
    assert.throws(
      () => verifier.checkHttp(new capsign.Route({ call: 'read', fields: true }), {
        method: 'GET',
        target: '/f/H',
        authorization: `Bearer ${expired}`,
        fields: { handle: 'H' },
      }),
      { code: 'expired' },
    )
    // And issuing takes the clock, not an inherited `now` of 0 (which would give an
    // expiry of 900).
    assert.ok(signer.issue({}).expiry > NOW)
  } finally {
    restore()
  }
})

test('an inherited kid is never a key; inherited leeway and minSecretLen are not options', () => {
  const restore = pollute({ evilKid: 'a-secret-the-attacker-knows-0123', leeway: 3600, minSecretLen: 1 })
  try {
    const verifier = new capsign.Verifier(null, { keys: { k1: SECRET } })
    assert.equal(verifier.leeway, 0)
    assert.equal(String(verifier), 'Verifier(defaultSecret=false, kids=["k1"], leeway=0)')
    const forged = new capsign.Signer('a-secret-the-attacker-knows-0123', { kid: 'evilKid' }).issue({})
    assert.throws(() => verifier.verifyToken(forged.token), { code: 'unknown_key' })
    assert.throws(() => new capsign.Signer('x'), { code: 'weak_secret' })
    assert.throws(() => new capsign.Verifier('x'), { code: 'weak_secret' })
    const leewayed = new capsign.Verifier(SECRET, {})
    assert.throws(() => leewayed.verifyToken(expired, { now: NOW + 10 }), { code: 'expired' })
  } finally {
    restore()
  }
})

test('inherited claims, request fields and flags are not read', () => {
  const restore = pollute({ call: 'read', handle: 'H', permissions: ['**'], expiresIn: 1e9, '--x': 'y' })
  try {
    const creds = signer.issue({ call: ['remove'] })
    const policy = JSON.parse(capsign.decodeUnverified(creds.token))
    assert.deepEqual(Object.keys(policy).sort(), ['call', 'expiry', 'iat'])
    const verifier = new capsign.Verifier(SECRET)
    // An empty request names nothing, whatever Object.prototype says.
    assert.deepEqual(verifier.verifyToken(creds.token, {}).policy.call, ['remove'])
    assert.throws(() => verifier.verifyToken(creds.token, { command: 'x' }), { code: 'denied' })
    assert.equal(String(capsign.Command.build(['x'], {})), 'x')
  } finally {
    restore()
  }
})

test('an inherited route option does not widen a middleware, over HTTP', async () => {
  const verifier = new capsign.Verifier(SECRET)
  const restore = pollute({ authenticateOnly: true, call: 'read', now: 0 })
  let server
  try {
    // Without the pollution this names nothing, and is refused.
    assert.throws(() => middleware({ verifier }), { code: 'invalid_argument' })
    const guard = middleware({ verifier, call: 'read', fields: (req) => ({ handle: req.url.slice(1) }) })
    server = http.createServer((req, res) => guard(req, res, () => res.end('ok')))
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address()
    const get = (headers) =>
      new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/H', headers }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode))
        }).on('error', reject)
      })
    assert.equal(await get({ authorization: `Bearer ${genuine.token}` }), 200)
    assert.equal(await get({ authorization: `Bearer ${expired}` }), 401)
  } finally {
    restore()
    server?.close()
  }
})

test('an inherited originalUrl is never the target decided on, in Express and Fastify', async () => {
  const verifier = new capsign.Verifier(SECRET)
  const pub = signer.issue({ permissions: ['GET /files/pub'], expiresIn: 600 }).token
  const express = require('express')
  const app = express()
  app.get('/files/:name', middleware({ verifier, rest: true }), (req, res) => res.end('served'))
  const fastify = require('fastify')()
  fastify.register(require('capsign/fastify'), { verifier })
  fastify.register(async (scope) => {
    scope.get('/files/:name', { onRequest: scope.capsign({ rest: true }) }, async () => 'served')
  })
  const expressServer = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  const get = async (port, path) =>
    (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${pub}` } })).status
  const ports = { express: expressServer.address().port, fastify: fastify.server.address().port }
  try {
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(await get(port, '/files/pub'), 200, name)
      assert.equal(await get(port, '/files/secret'), 403, name)
      const restore = pollute({ originalUrl: '/files/pub' })
      try {
        // The router serves /files/secret; the token allows only /files/pub: never 200.
        assert.equal(await get(port, '/files/secret'), 500, name)
        assert.equal(await get(port, '/files/pub'), 500, name)
      } finally {
        restore()
      }
      assert.equal(await get(port, '/files/secret'), 403, name)
    }
  } finally {
    expressServer.close()
    await fastify.close()
  }
})

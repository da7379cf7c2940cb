'use strict'
// Revocation and use limits with a real redis-server shared by two server processes: this
// one (Express, node-redis) and a Flask one (tests/servers/flask_server.py, redis-py).
// A revocation made through either is seen by the other at once; 64 concurrent requests
// across both with `uses: 5` get exactly 5 successes; with Redis stopped both answer 503,
// never 200. ioredis drives the same store.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const capsign = require('capsign')
const { capsign: middleware } = require('capsign/express')
const { listen, startFlask, startRedis } = require('./support/servers.js')

const SECRET = 'redis-two-process-secret-0123'
const signer = new capsign.Signer(SECRET)
const nodeKey = capsign.SigningKey.generate()
const admin = new capsign.Signer(null, { signingKey: nodeKey }).issue({ permissions: ['revoke'], expiresIn: 600 }).token

let redis
let client
let express1
let flask
const servers = () => [express1.url, flask.url]

before(async () => {
  redis = await startRedis()
  const { createClient } = require('redis')
  client = createClient({ url: redis.url, socket: { connectTimeout: 1000, reconnectStrategy: false } })
  client.on('error', () => {}) // a stopped Redis is part of the test
  await client.connect()
  const store = new capsign.RedisStore(client)
  const verifier = new capsign.Verifier(SECRET)
  const app = express()
  app.all(
    '/api/file/:handle',
    middleware({ verifier, store, call: 'read', fields: (req) => ({ handle: req.params.handle }) }),
    (req, res) => res.json({ served: req.params.handle }),
  )
  app.post('/admin/revoke', express.json(), async (req, res) => {
    await store.revoke({ jti: req.body.jti, expiry: req.body.expiry })
    res.json({ revoked: req.body.jti })
  })
  const listening = await listen(app)
  express1 = { url: `http://127.0.0.1:${listening.port}`, close: listening.close }
  flask = await startFlask({ seedText: nodeKey.toText(), secret: SECRET, redisUrl: redis.url })
})

after(async () => {
  await express1?.close()
  await flask?.close()
  if (client?.isOpen) await client.quit().catch(() => {})
  await redis?.stop()
})

const read = (base, token, handle = 'H1') => fetch(`${base}/api/file/${handle}`, { headers: { authorization: `Bearer ${token}` } })

test('64 concurrent requests across both processes with uses 5: exactly 5 succeed', async () => {
  const token = signer.issue({ call: ['read'], handle: 'H1', jti: 'five-uses', uses: 5, expiresIn: 600 }).token
  const responses = await Promise.all(Array.from({ length: 64 }, (_, i) => read(servers()[i % 2], token)))
  const statuses = responses.map((r) => r.status)
  assert.equal(statuses.filter((s) => s === 200).length, 5)
  assert.equal(statuses.filter((s) => s === 401).length, 59)
  const bodies = await Promise.all(responses.filter((r) => r.status === 401).map((r) => r.json()))
  assert.ok(bodies.every((b) => b.error === 'used_up'))
  // Both processes served some of them, and counted in the same place.
  assert.equal(await client.get('capsign:uses:five-uses'), '64')
})

test('a revocation through one process is refused by the other at once', async () => {
  const a = signer.issue({ call: ['read'], handle: 'H1', jti: 'revoked-by-node', expiresIn: 600 })
  const b = signer.issue({ call: ['read'], handle: 'H1', jti: 'revoked-by-python', expiresIn: 600 })
  for (const base of servers()) {
    assert.equal((await read(base, a.token)).status, 200)
    assert.equal((await read(base, b.token)).status, 200)
  }
  const byNode = await fetch(`${express1.url}/admin/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jti: 'revoked-by-node', expiry: a.expiry }),
  })
  assert.equal(byNode.status, 200)
  const byPython = await fetch(`${flask.url}/admin/revoke?jti=revoked-by-python&expiry=${b.expiry}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
  })
  assert.equal(byPython.status, 200)
  for (const base of servers()) {
    for (const t of [a.token, b.token]) {
      const r = await read(base, t)
      assert.equal(r.status, 401)
      assert.equal((await r.json()).error, 'revoked')
    }
  }
  // The entries expire with their credentials (plus the default leeway of an hour).
  const ttl = await client.ttl('capsign:jti:revoked-by-node')
  assert.ok(ttl > 0 && ttl <= 600 + 3600 + 1, String(ttl))
})

test('forged, expired and denied requests leave the store untouched', async () => {
  const before = await client.dbSize()
  const good = signer.issue({ call: ['read'], handle: 'H1', jti: 'untouched', uses: 1, expiresIn: 600 }).token
  const forged = new capsign.Signer('another-secret-of-16-bytes+').issue({ call: ['read'], handle: 'H1', jti: 'untouched', uses: 1 }).token
  const expired = signer.issue({ call: ['read'], handle: 'H1', jti: 'untouched', uses: 1, expiry: 10, now: 0 }).token
  for (const base of servers()) {
    assert.equal((await read(base, forged)).status, 401)
    assert.equal((await read(base, expired)).status, 401)
    assert.equal((await read(base, good, 'H2')).status, 403)
  }
  assert.equal(await client.dbSize(), before)
  assert.equal(await client.exists('capsign:uses:untouched'), 0)
  assert.equal((await read(servers()[1], good)).status, 200)
  assert.equal((await read(servers()[0], good)).status, 401)
})

test('a second revocation never shortens the first; a time key holding no time fails closed', async () => {
  const store = new capsign.RedisStore(client, { prefix: 'again:', leeway: 0 })
  const verifier = new capsign.Verifier(SECRET)
  const grant = verifier.verifyToken(signer.issue({ jti: 'long', expiresIn: 7200 }).token)
  await store.revoke({ jti: 'long', expiry: grant.expiry })
  await store.revoke({ jti: 'long', expiry: Math.floor(Date.now() / 1000) + 5 })
  assert.ok((await client.ttl('again:jti:long')) > 7000)
  await assert.rejects(store.check(grant), { code: 'revoked' })
  const other = verifier.verifyToken(signer.issue({ jti: 'corrupt' }).token)
  for (const value of ['nan', '-inf', '0x10', '1e3', 'abc']) {
    await client.set('again:before', value)
    await assert.rejects(store.check(other), { code: 'unavailable' })
  }
  await client.del('again:before')
  await store.check(other)
})

test('ioredis drives the same store', async () => {
  const Redis = require('ioredis')
  const io = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 })
  await io.connect()
  try {
    const store = new capsign.RedisStore(io, { prefix: 'io:' })
    const verifier = new capsign.Verifier(SECRET)
    const grant = verifier.verifyToken(signer.issue({ jti: 'io-two', uses: 2 }).token)
    await store.check(grant)
    await store.check(grant)
    await assert.rejects(store.check(grant), { code: 'used_up' })
    await store.revoke({ before: Math.floor(Date.now() / 1000) + 1 })
    await assert.rejects(store.check(verifier.verifyToken(signer.issue({}).token)), { code: 'revoked' })
  } finally {
    io.disconnect()
  }
})

test('with Redis stopped, both processes answer 503 and never 200', async () => {
  const token = signer.issue({ call: ['read'], handle: 'H1', jti: 'during-outage', expiresIn: 600 }).token
  const plain = signer.issue({ call: ['read'], handle: 'H1', expiresIn: 600 }).token
  await redis.stop()
  for (const base of servers()) {
    for (const t of [token, plain]) {
      const r = await read(base, t)
      assert.equal(r.status, 503, base)
      const body = await r.json()
      assert.equal(body.error, 'unavailable')
      assert.ok(!JSON.stringify(body).includes(String(redis.port)))
    }
  }
})

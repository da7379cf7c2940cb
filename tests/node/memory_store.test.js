'use strict'
// The in-memory store: synchronous in Express, exact under a burst, and the API's own
// argument checks.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const capsign = require('capsign')
const { capsign: middleware } = require('capsign/express')
const { listen } = require('./support/servers.js')

const SECRET = 'memory-store-test-secret-01'
const signer = new capsign.Signer(SECRET)
const verifier = new capsign.Verifier(SECRET)

test('Express with a MemoryStore: uses counted, revocations refused, nothing else changes', async () => {
  const store = new capsign.MemoryStore()
  const app = express()
  app.get('/files/:handle', middleware({ verifier, store, call: 'read', fields: (req) => ({ handle: req.params.handle }) }), (req, res) =>
    res.json({ jti: req.capsign.policy.jti ?? null }),
  )
  const { port, close } = await listen(app)
  const get = (token, handle = 'H1') => fetch(`http://127.0.0.1:${port}/files/${handle}`, { headers: { authorization: `Bearer ${token}` } })
  try {
    const two = signer.issue({ call: ['read'], handle: 'H1', jti: 'two', uses: 2 })
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get(two.token).then((r) => r.status)))
    assert.equal(statuses.filter((s) => s === 200).length, 2)
    const plain = signer.issue({ call: ['read'], handle: 'H1', jti: 'plain' })
    assert.equal((await get(plain.token)).status, 200)
    assert.equal((await get(plain.token, 'H2')).status, 403)
    store.revoke({ jti: 'plain', expiry: plain.expiry })
    const revoked = await get(plain.token)
    assert.equal(revoked.status, 401)
    assert.equal((await revoked.json()).error, 'revoked')
    assert.equal(store.size, 2)
  } finally {
    await close()
  }
})

test('the stores refuse what is not theirs to take', () => {
  const store = new capsign.MemoryStore()
  assert.throws(() => store.check({}), TypeError)
  assert.throws(() => store.revoke({ jti: 'x' }), { code: 'invalid_argument' })
  assert.throws(() => store.revoke({}), { code: 'invalid_argument' })
  for (const leeway of [-1, 1.5, 3601, Number.NaN]) {
    assert.throws(() => new capsign.MemoryStore({ leeway }), { code: 'invalid_argument' }, String(leeway))
  }
  assert.throws(() => new capsign.RedisStore({}, { prefix: 'has space' }), { code: 'invalid_argument' })
  assert.throws(() => middleware({ verifier, call: 'read', store: {} }), TypeError)
  // Polluted prototypes change nothing: options are read as own properties.
  Object.prototype.leeway = -5
  Object.prototype.jti = 'polluted'
  try {
    const s = new capsign.MemoryStore({})
    assert.throws(() => s.revoke({ before: undefined }), { code: 'invalid_argument' })
    s.revoke({ before: 5 })
  } finally {
    delete Object.prototype.leeway
    delete Object.prototype.jti
  }
})

test('a store is asked only for genuine grants: a forged object is no grant', async () => {
  const store = new capsign.RedisStore({ call: async () => 'ok' })
  await assert.rejects(store.check({ policy: { jti: 'x' } }), TypeError)
})

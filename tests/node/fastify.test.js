'use strict'
// capsign/fastify beyond the shared suite (tests/node/express.test.js): the plugin's
// verifier and store, key sets, setup errors, a repeated Authorization header, and the
// IPFS seed's cross-origin attack in a real browser (Debian's Chromium).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const Fastify = require('fastify')
const capsign = require('capsign')

const SECRET = 'fastify-test-secret-0123456789'
const signer = new capsign.Signer(SECRET)
const CHROMIUM = process.env.CAPSIGN_CHROMIUM ?? '/usr/bin/chromium'

async function start(build, pluginOptions) {
  const app = Fastify()
  app.register(require('capsign/fastify'), pluginOptions)
  app.register(async (scope) => build(scope))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${app.server.address().port}` }
}

test('the plugin verifier and store apply to every hook; key sets are served', async () => {
  const key = capsign.SigningKey.generate()
  const peer = key.publicKey.peerId
  const verifier = new capsign.Verifier(SECRET, { publicKeys: { [peer]: key.publicKey } })
  const store = new capsign.MemoryStore()
  const { app, base } = await start((scope) => {
    scope.get('/.well-known/capsign-keys.json', scope.capsignKeySet())
    scope.post('/api/v0/*', { onRequest: scope.capsign({ rpc: '/api/v0' }) }, async (req) => ({ kid: req.capsign.kid }))
  }, { verifier, store })
  try {
    const keys = await fetch(`${base}/.well-known/capsign-keys.json`)
    assert.equal(keys.headers.get('content-type'), 'application/jwk-set+json')
    assert.deepEqual((await keys.json()).keys.map((k) => k.kid), [peer])
    const ed = new capsign.Signer(null, { signingKey: key }).issue({ permissions: ['id'], jti: 'twice', uses: 2 }).token
    const call = () => fetch(`${base}/api/v0/id`, { method: 'POST', headers: { authorization: `Bearer ${ed}` } })
    const first = await call()
    assert.equal((await first.json()).kid, peer)
    assert.equal((await call()).status, 200)
    const spent = await call()
    assert.equal(spent.status, 401)
    assert.equal((await spent.json()).error, 'used_up')
    const plain = signer.issue({ permissions: ['id'], jti: 'revoke-me' })
    store.revoke({ jti: 'revoke-me', expiry: plain.expiry })
    const r = await fetch(`${base}/api/v0/id`, { method: 'POST', headers: { authorization: `Bearer ${plain.token}` } })
    assert.equal((await r.json()).error, 'revoked')
  } finally {
    await app.close()
  }
})

test('setup errors: no verifier, routes that name nothing, a bad store', async () => {
  const noVerifier = Fastify()
  noVerifier.register(require('capsign/fastify'), {})
  await assert.rejects(noVerifier.ready(), TypeError)
  const app = Fastify()
  app.register(require('capsign/fastify'), { verifier: new capsign.Verifier(SECRET) })
  await app.ready()
  assert.throws(() => app.capsign({}), { code: 'invalid_argument', field: 'route' })
  assert.throws(() => app.capsign({ call: 'read', store: {} }), TypeError)
  assert.throws(() => app.capsignKeySet(), TypeError)
  await app.close()
})

test('a repeated Authorization header is malformed, as in every adapter', async () => {
  const { app } = await start((scope) => {
    scope.get('/x', { onRequest: scope.capsign({ authenticateOnly: true }) }, async () => 'ok')
  }, { verifier: new capsign.Verifier(SECRET) })
  try {
    const token = signer.issue({}).token
    const status = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: app.server.address().port, path: '/x', headers: [['authorization', `Bearer ${token}`], ['authorization', `Bearer ${token}`]].flat() }, (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.on('error', reject)
      req.end()
    })
    // Fastify refuses the request itself (400) before any hook runs: refused either way.
    assert.ok([400, 401].includes(status), String(status))
  } finally {
    await app.close()
  }
})

test("the IPFS seed's CSRF: another origin's <img> and form cannot unpin on a Fastify API", { skip: fs.existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}` }, async () => {
  const pins = new Set(['QmPrecious'])
  const refused = []
  const { app, base } = await start((scope) => {
    const hook = scope.capsign({ rpc: '/api/v0', log: (r) => refused.push(r) })
    scope.route({
      method: ['GET', 'POST'],
      url: '/api/v0/pin/rm',
      onRequest: hook,
      handler: async (req) => {
        pins.delete(String(req.query.arg))
        return { Pins: [req.query.arg] }
      },
    })
  }, { verifier: new capsign.Verifier(SECRET) })
  const target = `${base}/api/v0/pin/rm?arg=QmPrecious`
  const attack = `<!DOCTYPE html><html><body><img src="${target}">
    <form id="f" method="POST" action="${target}"><input type="hidden" name="x" value="1"></form>
    <script>setTimeout(() => document.getElementById('f').submit(), 200)</script></body></html>`
  const evil = http.createServer((req, res) => res.end(attack))
  await new Promise((r) => evil.listen(0, '127.0.0.1', r))
  const { chromium } = require('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${evil.address().port}/`)
    await page.waitForURL(/pin\/rm/, { timeout: 10_000 })
    assert.match(await page.content(), /missing_credentials/)
    assert.ok(pins.has('QmPrecious'))
    assert.ok(refused.filter((r) => r.status === 401).length >= 2, JSON.stringify(refused))
  } finally {
    await browser.close()
    evil.close()
    await app.close()
  }
})

test('a route option given as undefined keeps the plugin store', async () => {
  const store = new capsign.MemoryStore()
  const { app, base } = await start((scope) => {
    scope.get('/x', { onRequest: scope.capsign({ call: 'read', store: undefined }) }, async () => 'ok')
  }, { verifier: new capsign.Verifier(SECRET), store })
  try {
    const once = signer.issue({ call: ['read'], jti: 'fastify-once', uses: 1 }).token
    const get = () => fetch(`${base}/x`, { headers: { authorization: `Bearer ${once}` } }).then((r) => r.status)
    assert.deepEqual([await get(), await get()], [200, 401])
  } finally {
    await app.close()
  }
})

test('fields and commands run only once the credentials hold (Fastify and Express)', async () => {
  const verifier = new capsign.Verifier(SECRET)
  const calls = []
  const fields = (req) => {
    calls.push('fields')
    return { handle: req.url.split('/').pop() }
  }
  const command = () => {
    calls.push('command')
    return 'swarm peers'
  }
  const { app, base } = await start((scope) => {
    scope.get('/files/:handle', { preHandler: scope.capsign({ call: 'read', fields }) }, async () => ({ ok: true }))
    scope.get('/peers', { onRequest: scope.capsign({ command }) }, async () => ({ ok: true }))
  }, { verifier })
  const express = require('express')
  const { capsign: middleware } = require('capsign/express')
  const e = express()
  e.get('/files/:handle', middleware({ verifier, call: 'read', fields }), (req, res) => res.json({ ok: true }))
  e.get('/peers', middleware({ verifier, command }), (req, res) => res.json({ ok: true }))
  const server = e.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const expressBase = `http://127.0.0.1:${server.address().port}`
  const read = signer.issue({ call: ['read'], handle: 'H1' }).token
  const peers = signer.issue({ permissions: ['swarm peers'] }).token
  const flipped = read.slice(0, -1) + (read.endsWith('0') ? '1' : '0')
  const now = Math.floor(Date.now() / 1000)
  const expired = signer.issue({ call: ['read'], expiry: now - 10, now: now - 99 }).token
  try {
    for (const b of [base, expressBase]) {
      for (const path of ['/files/H1', '/peers']) {
        for (const [headers, code] of [
          [{}, 'missing_credentials'],
          [{ authorization: `Bearer ${flipped}` }, 'bad_signature'],
          [{ authorization: `Bearer ${expired}` }, 'expired'],
          [{ authorization: 'Bearer x.y' }, 'malformed'],
        ]) {
          const r = await fetch(`${b}${path}`, { headers })
          assert.equal(r.status, 401, `${b}${path}`)
          assert.equal((await r.json()).error, code)
        }
      }
    }
    assert.deepEqual(calls, [])
    for (const b of [base, expressBase]) {
      assert.equal((await fetch(`${b}/files/H1`, { headers: { authorization: `Bearer ${read}` } })).status, 200)
      assert.equal((await fetch(`${b}/peers`, { headers: { authorization: `Bearer ${peers}` } })).status, 200)
    }
    assert.deepEqual(calls, ['fields', 'command', 'fields', 'command'])
  } finally {
    await app.close()
    server.close()
  }
})

test('Fastify over HTTP/2 (h2c): the request target is read from Node\'s own accessor', async () => {
  const http2 = require('node:http2')
  const app = Fastify({ http2: true })
  app.register(require('capsign/fastify'), { verifier: new capsign.Verifier(SECRET) })
  app.register(async (scope) => {
    scope.get('/files/*', { onRequest: scope.capsign({ rest: true }) }, async (req) => ({ allowedBy: req.capsign.matched }))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = http2.connect(`http://127.0.0.1:${app.server.address().port}`)
  const get = (path, authorization) =>
    new Promise((resolve, reject) => {
      const req = client.request({ ':path': path, ...(authorization ? { authorization } : {}) })
      let status
      let body = ''
      req.setEncoding('utf8')
      req.on('response', (h) => (status = h[':status']))
      req.on('data', (d) => (body += d))
      req.on('end', () => resolve({ status, json: JSON.parse(body) }))
      req.on('error', reject)
      req.setTimeout(5000, () => req.close())
      req.end()
    })
  const token = signer.issue({ permissions: ['GET /files/pub'] }).token
  try {
    assert.deepEqual(await get('/files/pub/a', `Bearer ${token}`), { status: 200, json: { allowedBy: 'GET /files/pub' } })
    assert.equal((await get('/files/secret', `Bearer ${token}`)).status, 403)
    assert.equal((await get('/files/pub/%2e%2e/secret', `Bearer ${token}`)).status, 400)
    assert.equal((await get('/files/pub/a')).json.error, 'missing_credentials')
    // A polluted prototype is still refused over HTTP/2 (500, never decided on it).
    Object.prototype.originalUrl = '/files/pub/a'
    try {
      assert.equal((await get('/files/secret', `Bearer ${token}`)).status, 500)
    } finally {
      delete Object.prototype.originalUrl
    }
  } finally {
    client.close()
    await app.close()
  }
})

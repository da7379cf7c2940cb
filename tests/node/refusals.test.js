'use strict'
// The refusals that must hold (hostile-testing findings), through the Node API and the
// Express middleware over real HTTP on 127.0.0.1.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const net = require('node:net')
const express = require('express')
const capsign = require('capsign')
const { capsign: middleware } = require('capsign/express')
const { SECRET } = require('./helpers.js')

const signer = new capsign.Signer(SECRET)
const verifier = new capsign.Verifier(SECRET)

/** Sends raw bytes and returns the status line's code and the body. */
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text))
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (d) => (data += d))
    socket.on('end', () => {
      const status = Number(data.split(' ')[1])
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) })
    })
    socket.on('error', reject)
  })
}

function send(port, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text, json: JSON.parse(text || 'null') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('strings N-API cannot carry are refused, as Python refuses them', () => {
  test('a lone surrogate in a handle, a kid or a permission is invalid_argument', () => {
    const token = signer.issue({ call: ['read'], handle: 'xa' }).token
    for (const action of [
      () => verifier.verifyToken(token, { call: 'read', handle: 'x\uDFFF' }),
      () => signer.issue({ handle: 'x\uD800' }),
      () => new capsign.Signer(SECRET, { kid: 'k\uDBFF' }),
      () => new capsign.Permission('cat \uD800'),
      () => new capsign.Command('cat \uDC00'),
      () => new capsign.Verifier(null, { keys: { 'k\uD800': SECRET } }),
      () => capsign.covers('cat *', 'cat \uD800'),
    ]) {
      assert.throws(action, (e) => e.name === 'CapsignError' && e.code === 'invalid_argument')
    }
  })

  test('two secrets that differ only in a lone surrogate do not verify each other', () => {
    assert.throws(() => new capsign.Signer(`${SECRET}\uD800`), { code: 'invalid_argument' })
    assert.throws(() => new capsign.Verifier(`${SECRET}\uDBFF`), { code: 'invalid_argument' })
    // Well-formed non-ASCII text is fine, surrogate pairs included.
    const emoji = new capsign.Signer(`${SECRET}😀`).issue({ handle: 'é😀' })
    assert.equal(new capsign.Verifier(`${SECRET}😀`).verifyToken(emoji.token).policy.handle, 'é😀')
  })
})

describe('grants cannot be changed in place', () => {
  test('permissions and policy lists are frozen', () => {
    const creds = signer.issue({ call: ['read'], permissions: ['token create **'] })
    const grant = verifier.verifyToken(creds.token, { command: 'token create x' })
    assert.ok(Object.isFrozen(grant.permissions))
    assert.ok(Object.isFrozen(grant.policy))
    assert.ok(Object.isFrozen(grant.policy.call))
    assert.throws(() => grant.permissions.push('**'), TypeError)
    assert.throws(() => {
      grant.policy.call[0] = 'remove'
    }, TypeError)
    assert.deepEqual(grant.permissions, ['token create **'])
    assert.deepEqual(grant.policy.call, ['read'])
  })
})

describe('the Express middleware over HTTP', () => {
  let server
  let port
  const logged = []
  before(async () => {
    const app = express()
    const log = (r) => logged.push(r)
    app.post('/store', express.json(), middleware({ verifier, call: 'store', fields: (req) => req.body, log }), (req, res) =>
      res.status(201).json({ stored: true }),
    )
    app.get('/files/:handle', middleware({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle }), log }), (req, res) =>
      res.json({ handle: req.params.handle }),
    )
    app.use('/rest', middleware({ verifier, rest: true, log }), (req, res) => res.json({ allowedBy: req.capsign.matched }))
    app.post('/api/v0/{*rest}', middleware({ verifier, rpc: '/api/v0', ignore: capsign.KUBO_IGNORE, log }), (req, res) =>
      res.json({ allowedBy: req.capsign.matched }),
    )
    app.get('/fs/{*rest}', middleware({ verifier, call: 'convert', securityTask: true, fields: (req) => ({ handle: req.path.split('/').pop() }) }), (req, res) =>
      res.json({ ok: true }),
    )
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    port = server.address().port
  })
  after(() => server.close())

  test('a `now` in the body is not the time of the check', async () => {
    const now = Math.floor(Date.now() / 1000)
    const old = signer.issue({ call: ['store'], path: '/u/.*', maxSize: 10, expiry: now - 10, now: now - 100 })
    const body = JSON.stringify({ now: 0, path: '/u/a', size: 1 })
    const r = await send(port, {
      method: 'POST',
      path: '/store',
      headers: { authorization: `Bearer ${old.token}`, 'content-type': 'application/json' },
      body,
    })
    assert.equal(r.status, 401)
    assert.equal(r.json.error, 'expired')
  })

  test('a field of the wrong type from the body is a bad request, as in Flask', async () => {
    const creds = signer.issue({ call: ['store'], path: '/u/.*', maxSize: 10 })
    // Raw JSON text: '\\ud800' is a lone surrogate once express.json parses it.
    for (const body of ['{"path":"/u/a","size":true}', '{"path":5,"size":1}', '{"path":"/u/a","size":-1}',
      '{"path":"/u/a","size":1.5}', '{"path":"/u/a","size":"1"}', '{"path":"/u/a\\ud800","size":1}', '{"path":["/u/a"],"size":1}']) {
      const r = await send(port, {
        method: 'POST',
        path: '/store',
        headers: { authorization: `Bearer ${creds.token}`, 'content-type': 'application/json' },
        body,
      })
      assert.equal(r.status, 400, body)
      assert.equal(r.json.error, 'invalid_command', body)
    }
    const ok = await send(port, {
      method: 'POST',
      path: '/store',
      headers: { authorization: `Bearer ${creds.token}`, 'content-type': 'application/json' },
      body: '{"path":"/u/a","size":1}',
    })
    assert.equal(ok.status, 201)
  })

  test('a size is read as Flask reads it: 5.0 is 5, and 2^53 or more is a bad request', async () => {
    const creds = signer.issue({ call: ['store'], path: '/u/.*', maxSize: 10 })
    for (const [body, status] of [
      ['{"path":"/u/a","size":5.0}', 201],
      ['{"path":"/u/a","size":1e1}', 201],
      ['{"path":"/u/a","size":-0.0}', 201],
      ['{"path":"/u/a","size":11.0}', 403],
      ['{"path":"/u/a","size":1e19}', 400],
      ['{"path":"/u/a","size":9007199254740992}', 400],
      ['{"path":"/u/a","size":18446744073709551616}', 400],
      ['{"path":"/u/a","size":1e308}', 400],
    ]) {
      const r = await send(port, {
        method: 'POST',
        path: '/store',
        headers: { authorization: `Bearer ${creds.token}`, 'content-type': 'application/json' },
        body,
      })
      assert.equal(r.status, status, body)
    }
  })

  test('a storage path that is not normalized is refused', async () => {
    const creds = signer.issue({ call: ['store'], path: '/uploads/alice/.*', maxSize: 100 })
    const r = await send(port, {
      method: 'POST',
      path: '/store',
      headers: { authorization: `Bearer ${creds.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/uploads/alice/../bob/evil.txt', size: 1 }),
    })
    assert.equal(r.status, 400)
    assert.equal(r.json.error, 'invalid_command')
  })

  test('the Authorization header given twice is refused, whichever comes first', async () => {
    const good = signer.issue({ call: ['read'], handle: 'H1' })
    for (const pair of [[`Bearer ${good.token}`, 'Bearer x.y'], ['Bearer x.y', `Bearer ${good.token}`]]) {
      const r = await raw(port, `GET /files/H1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${pair[0]}\r\nauthorization: ${pair[1]}\r\nConnection: close\r\n\r\n`)
      assert.equal(r.status, 401)
      assert.equal(JSON.parse(r.body).error, 'malformed')
    }
  })

  test('traversal look-alikes are refused', async () => {
    const creds = signer.issue({ permissions: ['GET /rest'] })
    for (const path of ['/rest/..;/x', '/rest/.;/x', '/rest/..%20/x', '/rest/.../x', '/rest/%2e%2e;/x']) {
      const r = await send(port, { path, headers: { authorization: `Bearer ${creds.token}` } })
      assert.equal(r.status, 400, path)
      assert.equal(r.json.error, 'invalid_command', path)
    }
  })

  test('an absolute-form target cannot be mapped, as in Flask', async () => {
    const creds = signer.issue({ permissions: ['GET /rest'] })
    const r = await raw(port, `GET http://127.0.0.1:${port}/rest/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${creds.token}\r\nConnection: close\r\n\r\n`)
    assert.equal(r.status, 400)
  })

  test("real Kubo clients' requests pass with the documented permissions", async () => {
    const creds = signer.issue({ permissions: ['pin add [--recursive] *', 'pin ls [--type=*]', 'version', 'add'] })
    const auth = { authorization: `Bearer ${creds.token}` }
    for (const path of [
      '/api/v0/pin/add?recursive=true&stream=true&arg=QmX',
      '/api/v0/pin/ls?names=false&stream=true',
      '/api/v0/pin/add?stream-channels=true&recursive=True&arg=QmX',
      '/api/v0/version?timeout=5000ms',
      '/api/v0/add?stream-channels=true&progress=false',
      `/api/v0/version?policy=${creds.policy}&signature=${creds.signature}`,
    ]) {
      const r = await send(port, { method: 'POST', path, headers: path.includes('policy=') ? {} : auth })
      assert.equal(r.status, 200, `${path}: ${r.body}`)
    }
    const r = await send(port, { method: 'POST', path: '/api/v0/add?only-hash=true', headers: auth })
    assert.equal(r.status, 403)
  })

  test("Filestack's security task in the path, quoted or not", async () => {
    const creds = signer.issue({ call: ['convert'], handle: 'KW9EJhYtS6y48Whm2S6D' })
    const ok = [
      `/fs/KEY/resize=width:100/security=p:${creds.policy},s:${creds.signature}/KW9EJhYtS6y48Whm2S6D`,
      `/fs/KEY/security=policy:%22${creds.policy}%22,signature:${creds.signature}/KW9EJhYtS6y48Whm2S6D`,
      `/fs/KEY/security=signature:${creds.signature},policy:${creds.policy}/KW9EJhYtS6y48Whm2S6D`,
    ]
    for (const path of ok) assert.equal((await send(port, { path })).status, 200, path)
    assert.equal((await send(port, { path: `/fs/KEY/security=p:${creds.policy},s:${creds.signature}/OTHER` })).status, 403)
    assert.equal((await send(port, { path: `/fs/KEY/security=p:${creds.policy}/KW9EJhYtS6y48Whm2S6D` })).json.error, 'malformed')
  })

  test('refusals carry the core body and headers; logs get no token', async () => {
    logged.length = 0
    const creds = signer.issue({ call: ['read'], handle: 'H1' })
    const r = await send(port, { path: `/files/H2?policy=${creds.policy}&signature=${creds.signature}` })
    assert.equal(r.status, 403)
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="capsign", error="insufficient_scope"')
    assert.equal(r.headers['cache-control'], 'no-store')
    assert.match(r.headers['content-type'], /^application\/json/)
    assert.deepEqual(Object.keys(r.json).sort(), ['error', 'message'])
    assert.deepEqual(logged, [{ status: 403, code: 'denied', method: 'GET', path: '/files/H2' }])
    assert.ok(!JSON.stringify(logged).includes(creds.signature))
  })
})

'use strict'
// The demo's file API over HTTP on 127.0.0.1: what is stored is what the credentials
// allowed, whatever the encoding, the path spelling or the parameters.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const zlib = require('node:zlib')
const capsign = require('capsign')
const { createApi } = require('../../examples/demo/api/server.js')

const SECRET = 'demo-api-test-secret-0123456789'
const MAX = 1000
let server
let port
let dataDir
let made

function upload(query, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/files?${query}`, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let json = null
        try {
          json = JSON.parse(text)
        } catch {}
        resolve({ status: res.statusCode, json, text })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

function creds(user = 'alice') {
  const c = new capsign.Signer(SECRET).issue({ call: ['pick'], path: `/uploads/${user}/.*`, maxSize: MAX, expiresIn: 600 })
  return `policy=${encodeURIComponent(c.policy)}&signature=${c.signature}`
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-demo-api-'))
  made = createApi({ secret: SECRET, nodeKey: capsign.SigningKey.generate(), dataDir, webOrigin: 'http://127.0.0.1:1' })
  await new Promise((resolve) => {
    server = made.app.listen(0, '127.0.0.1', resolve)
  })
  port = server.address().port
})

after(() => {
  server.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('an upload within the limit is stored', async () => {
  const r = await upload(`path=${encodeURIComponent('/uploads/alice/a.txt')}&${creds()}`, 'hello')
  assert.equal(r.status, 201, r.text)
  assert.equal(r.json.size, 5)
})

test('compressed bodies are refused, never inflated past maxSize', async () => {
  const bomb = zlib.gzipSync(Buffer.alloc(900 * 1024))
  assert.ok(bomb.length < MAX)
  for (const encoding of ['gzip', 'deflate', 'br', ' GZIP ']) {
    const r = await upload(`path=${encodeURIComponent('/uploads/alice/bomb')}&${creds()}`, bomb, { 'content-encoding': encoding })
    assert.equal(r.status, 415, encoding)
  }
  assert.ok(!fs.readdirSync(path.join(dataDir, 'files')).some((f) => fs.statSync(path.join(dataDir, 'files', f)).size > MAX))
})

test('storage paths must be normalized, and given once', async () => {
  for (const p of ['/uploads/alice/../bob/evil.txt', '/uploads/alice/./x', '/uploads/alice//x', '/uploads/alice/..;/x']) {
    const r = await upload(`path=${encodeURIComponent(p)}&${creds()}`, 'evil')
    assert.equal(r.status, 400, `${p}: ${r.text}`)
    assert.equal(r.json.error, 'invalid_command')
  }
  const twice = await upload(`path=${encodeURIComponent('/uploads/alice/a')}&path=${encodeURIComponent('/uploads/bob/b')}&${creds()}`, 'x')
  assert.equal(twice.status, 400)
  assert.equal(twice.json.error, 'bad_path')
})

test('a size the request does not declare is not allowed, nor one past the limit', async () => {
  const q = `path=${encodeURIComponent('/uploads/alice/c')}&${creds()}`
  const chunked = await upload(q, 'abc', { 'transfer-encoding': 'chunked' })
  assert.equal(chunked.status, 403)
  const big = await upload(q, Buffer.alloc(MAX + 1))
  assert.equal(big.status, 403)
  assert.equal(big.json.error, 'denied')
})

test("the node's public key is served, and no secret with it", async () => {
  const r = await fetch(`http://127.0.0.1:${port}/.well-known/capsign-keys.json`)
  const body = await r.text()
  assert.equal(JSON.parse(body).keys[0].kid, made.peerId)
  assert.ok(!body.includes(SECRET) && !body.includes('"d"'))
})

'use strict'
// The IPFS-like RPC example, end to end over HTTP on 127.0.0.1.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const capsign = require('capsign')
const { createApp, cidOf } = require('../../examples/express_rpc/server.js')

const BOUNDARY = '----capsign-test-boundary'

/** A multipart body of one file, as the IPFS clients send `add`. */
function multipart(content, filename = '') {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n`),
    Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
    Buffer.from(content),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ])
}

function send(port, { method = 'POST', path: target, token, body, file }) {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {}
    if (file !== undefined) {
      headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`
      body = multipart(file)
    } else if (body !== undefined) headers['content-type'] = 'application/octet-stream'
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const raw = Buffer.concat(chunks)
        let json = null
        try {
          json = JSON.parse(raw.toString('utf8'))
        } catch {
          json = null
        }
        resolve({ status: res.statusCode, raw, json, headers: res.headers })
      })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end(body)
  })
}

let server
let port
let root
let dataDir
let made
const refusals = []

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-rpc-'))
  made = createApp({ dataDir, log: (r) => refusals.push(r), maxAddBytes: 1024 })
  root = made.rootToken
  await new Promise((resolve) => {
    server = made.app.listen(0, '127.0.0.1', resolve)
  })
  port = server.address().port
})

after(() => {
  server.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('the node key file is private, and the node is known by its peer ID', () => {
  assert.equal(fs.statSync(path.join(dataDir, 'node.key')).mode & 0o777, 0o600)
  assert.match(made.peerId, /^12D3KooW/)
  // Anyone with the peer ID alone can check the node's tokens.
  const outsider = new capsign.Verifier(null, { publicKeys: { [made.peerId]: made.peerId } })
  assert.equal(outsider.verifyToken(root, { command: 'version' }).kid, made.peerId)
})

test('add, cat, pin add, pin ls, pin rm, id, version with the root token', async () => {
  const added = await send(port, { path: '/api/v0/add', token: root, file: 'hello capsign' })
  assert.equal(added.status, 200, added.raw.toString())
  const cid = added.json.Hash
  assert.equal(cid, cidOf(Buffer.from('hello capsign')))
  assert.match(cid, /^bafkrei[a-z2-7]{52}$/)
  const cat = await send(port, { path: `/api/v0/cat?arg=/ipfs/${cid}`, token: root })
  assert.equal(cat.raw.toString(), 'hello capsign')
  assert.deepStrictEqual((await send(port, { path: `/api/v0/pin/add?arg=${cid}&recursive=true`, token: root })).json, { Pins: [cid] })
  assert.deepStrictEqual((await send(port, { path: '/api/v0/pin/ls', token: root })).json, { Keys: { [cid]: { Type: 'recursive' } } })
  const streamed = await send(port, { path: '/api/v0/pin/ls?stream=true&type=recursive', token: root })
  assert.deepStrictEqual(streamed.raw.toString().trim().split('\n').map((l) => JSON.parse(l)), [{ Cid: cid, Type: 'recursive' }])
  assert.equal((await send(port, { path: '/api/v0/id', token: root })).json.ID, made.peerId)
  assert.equal((await send(port, { path: '/api/v0/version', token: root })).json.Version, '0.7.0-capsign')
  assert.deepStrictEqual((await send(port, { path: `/api/v0/pin/rm?arg=${cid}`, token: root })).json, { Pins: [cid] })
})

test('token create mints narrower tokens and refuses to widen', async () => {
  const cid = (await send(port, { path: '/api/v0/add', token: root, file: 'precious' })).json.Hash
  await send(port, { path: `/api/v0/pin/add?arg=${cid}`, token: root })
  const minted = await send(port, {
    path: `/api/v0/token/create?arg=${encodeURIComponent(`cat /ipfs/${cid}`)}&arg=${encodeURIComponent('pin ls')}&lifetime=600`,
    token: root,
  })
  assert.equal(minted.status, 200, minted.raw.toString())
  const app = minted.json.Token
  assert.ok(minted.json.Expiry <= Math.floor(Date.now() / 1000) + 600)
  // The application token does exactly what it was given.
  assert.equal((await send(port, { path: `/api/v0/cat?arg=/ipfs/${cid}`, token: app })).raw.toString(), 'precious')
  assert.equal((await send(port, { path: '/api/v0/pin/ls', token: app })).status, 200)
  const rm = await send(port, { path: `/api/v0/pin/rm?arg=${cid}`, token: app })
  assert.equal(rm.status, 403)
  assert.equal(rm.json.error, 'denied')
  const other = await send(port, { path: '/api/v0/add', token: app, file: 'x' })
  assert.equal(other.status, 403)
  // It cannot mint anything, let alone something wider.
  const widen = await send(port, { path: `/api/v0/token/create?arg=${encodeURIComponent('pin rm *')}`, token: app })
  assert.equal(widen.status, 403)
  // A token that may mint, but holds only `cat`, cannot mint `pin rm`.
  const minter = made.signer.issue({
    permissions: ['token create **', `cat /ipfs/${cid}`],
  }).token
  const narrower = await send(port, { path: `/api/v0/token/create?arg=${encodeURIComponent(`cat /ipfs/${cid}/sub`)}`, token: minter })
  assert.equal(narrower.status, 200)
  const wider = await send(port, { path: `/api/v0/token/create?arg=${encodeURIComponent('cat /ipfs')}`, token: minter })
  assert.equal(wider.status, 403)
  assert.match(wider.json.Message, /not covered/)
  // The pin survived every attempt.
  assert.ok(cid in (await send(port, { path: '/api/v0/pin/ls', token: root })).json.Keys)
})

test('no token, GET requests and cookies get nothing', async () => {
  const cid = (await send(port, { path: '/api/v0/add', token: root, file: 'keep me' })).json.Hash
  await send(port, { path: `/api/v0/pin/add?arg=${cid}`, token: root })
  const anonymous = await send(port, { path: `/api/v0/pin/rm?arg=${cid}` })
  assert.equal(anonymous.status, 401)
  assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="capsign"')
  const get = await send(port, { method: 'GET', path: `/api/v0/pin/rm?arg=${cid}`, token: root })
  assert.equal(get.status, 405)
  assert.ok(cid in (await send(port, { path: '/api/v0/pin/ls', token: root })).json.Keys)
  assert.ok(refusals.some((r) => r.status === 401 && r.path === '/api/v0/pin/rm'))
})

test('traversal in arguments is refused', async () => {
  const r = await send(port, { path: '/api/v0/cat?arg=/ipfs/x/../../secret', token: root })
  assert.equal(r.status, 400)
  assert.equal(r.json.error, 'invalid_command')
})

test('add reads the multipart body, and refuses what it cannot store', async () => {
  const raw = await send(port, { path: '/api/v0/add', token: root, body: 'not multipart' })
  assert.equal(raw.status, 400)
  assert.match(raw.json.Message, /multipart/)
  const big = await send(port, { path: '/api/v0/add', token: root, file: 'x'.repeat(2048) })
  assert.equal(big.status, 413)
  assert.equal(big.json.Type, 'error')
  const notPinned = await send(port, { path: '/api/v0/add?pin=false', token: root, file: 'loose' })
  assert.equal(notPinned.status, 200)
  assert.ok(!(notPinned.json.Hash in (await send(port, { path: '/api/v0/pin/ls', token: root })).json.Keys))
})

test('token create refuses permissions it cannot parse, and lifetimes that are not numbers', async () => {
  const bad = await send(port, { path: `/api/v0/token/create?arg=${encodeURIComponent('pin [add')}`, token: root })
  assert.equal(bad.status, 400)
  assert.equal(bad.json.Type, 'error')
  const lifetime = await send(port, { path: '/api/v0/token/create?arg=version&lifetime=1e9', token: root })
  assert.equal(lifetime.status, 400)
})

test('minted tokens carry a jti: they can be limited in uses, and revoked', async () => {
  const twice = await send(port, { path: '/api/v0/token/create?arg=version&uses=2', token: root })
  assert.equal(twice.status, 200, twice.raw.toString())
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await send(port, { path: '/api/v0/version', token: twice.json.Token })).status)
  assert.deepStrictEqual(statuses, [200, 200, 401])
  const minted = (await send(port, { path: '/api/v0/token/create?arg=id', token: root })).json
  assert.equal((await send(port, { path: '/api/v0/id', token: minted.Token })).status, 200)
  const revoked = await send(port, { path: `/api/v0/token/revoke?arg=${minted.Jti}&expiry=${minted.Expiry}`, token: root })
  assert.equal(revoked.status, 200, revoked.raw.toString())
  const after = await send(port, { path: '/api/v0/id', token: minted.Token })
  assert.equal(after.status, 401)
  assert.equal(after.json.error, 'revoked')
  // Revoking needs its own permission.
  assert.equal((await send(port, { path: `/api/v0/token/revoke?arg=x`, token: minted.Token })).status, 403) // denied before the store is asked
  const other = (await send(port, { path: '/api/v0/token/create?arg=version', token: root })).json.Token
  assert.equal((await send(port, { path: '/api/v0/token/revoke?arg=x', token: other })).status, 403)
  assert.equal((await send(port, { path: '/api/v0/token/create?arg=version&uses=0', token: root })).status, 400)
})

test('uses=1 can be asked for; a token limited in uses cannot delegate', async () => {
  const once = await send(port, { path: '/api/v0/token/create?arg=version&arg=token%20create%20**&uses=1', token: root })
  assert.equal(once.status, 200, once.raw.toString())
  const child = await send(port, { path: '/api/v0/token/create?arg=version', token: once.json.Token })
  assert.equal(child.status, 403)
  assert.match(child.json.Message, /limited in uses/)
})

'use strict'
// A local, IPFS-like RPC API on 127.0.0.1, protected by capsign capability tokens.
//
//   node examples/express_rpc/server.js        (after `npm install` at the repository root)
//
// Every command is a POST under /api/v0 (as in Kubo), and every request must carry a
// token whose permissions allow that command: `add`, `cat /ipfs/<cid>`,
// `pin add [--recursive] <cid>`, `pin rm <cid>`, `pin ls`, `id`, `version`, and
// `token create <permission>…`, which mints a narrower token only when the caller's own
// permissions cover every requested one. A page from another origin can make the
// browser send requests here (the CSRF of the IPFS API-tokens issue), but it cannot
// attach a token: no cookie or ambient authority is ever accepted.

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { Signer, Verifier, covers, generateSecret } = require('capsign')
const { capsign } = require('capsign/express')

const PREFIX = '/api/v0'
const VERSION = '0.1.0'

/** Every command of this API, as permissions: the root token holds them all. */
const ROOT_PERMISSIONS = [
  'add',
  'cat *',
  'pin add [--recursive] *',
  'pin rm *',
  'pin ls [--type=*]',
  'id',
  'version',
  'token create [--lifetime=*] **',
]

/** CIDv1, raw codec, sha2-256, base32: the CID of `ipfs add --cid-version=1 --raw-leaves`. */
function cidOf(bytes) {
  const digest = crypto.createHash('sha256').update(bytes).digest()
  const raw = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest])
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  let out = 'b'
  let bits = 0
  let value = 0
  for (const byte of raw) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

const CID = /^b[a-z2-7]{58}$/

/** A secret from $CAPSIGN_SECRET, or generated once into `file` (mode 600). */
function loadSecret(file) {
  if (process.env.CAPSIGN_SECRET) return process.env.CAPSIGN_SECRET
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, generateSecret() + '\n', { mode: 0o600, flag: 'wx' })
  }
  return fs.readFileSync(file, 'utf8').trim()
}

/**
 * The API as an Express app. `dataDir` holds the blocks, the pins and the secret.
 * Returns `{ app, signer, rootToken }`.
 */
function createApp({ dataDir, log = () => {}, secret } = {}) {
  const blocks = path.join(dataDir, 'blocks')
  fs.mkdirSync(blocks, { recursive: true, mode: 0o700 })
  const pinsFile = path.join(dataDir, 'pins.json')
  const key = secret ?? loadSecret(path.join(dataDir, 'secret'))
  const signer = new Signer(key)
  const verifier = new Verifier(key)
  const peerId = cidOf(Buffer.from(`peer:${signer.issue({ expiry: 1, now: 0 }).signature}`)).slice(0, 24)

  const pins = () => (fs.existsSync(pinsFile) ? JSON.parse(fs.readFileSync(pinsFile, 'utf8')) : {})
  const savePins = (value) => fs.writeFileSync(pinsFile, JSON.stringify(value, null, 2))
  const cidArg = (req) => {
    const arg = String(req.query.arg ?? '')
    const cid = arg.startsWith('/ipfs/') ? arg.slice('/ipfs/'.length) : arg
    return CID.test(cid) ? cid : null
  }

  const app = express()
  app.disable('x-powered-by')
  // Kubo answers 405 to anything but POST: no command runs from a GET (an <img src>).
  app.use(PREFIX, (req, res, next) => {
    if (req.method !== 'POST') {
      res.set('Allow', 'POST')
      return res.status(405).json({ error: 'method_not_allowed', message: 'the RPC API takes POST only' })
    }
    return next()
  })
  // Every command: credentials first, before any body is read.
  app.use(PREFIX, capsign({ verifier, rpc: PREFIX, log }))

  app.post(`${PREFIX}/add`, express.raw({ type: () => true, limit: '10mb' }), (req, res) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const cid = cidOf(bytes)
    fs.writeFileSync(path.join(blocks, cid), bytes)
    res.json({ Name: cid, Hash: cid, Size: String(bytes.length) })
  })
  app.post(`${PREFIX}/cat`, (req, res) => {
    const cid = cidArg(req)
    const file = cid && path.join(blocks, cid)
    if (!file || !fs.existsSync(file)) return res.status(404).json({ error: 'not_found', message: 'no such block' })
    res.type('application/octet-stream').send(fs.readFileSync(file))
  })
  app.post(`${PREFIX}/pin/add`, (req, res) => {
    const cid = cidArg(req)
    if (!cid || !fs.existsSync(path.join(blocks, cid))) return res.status(404).json({ error: 'not_found', message: 'no such block' })
    const all = pins()
    all[cid] = req.query.recursive === 'true' ? 'recursive' : 'direct'
    savePins(all)
    res.json({ Pins: [cid] })
  })
  app.post(`${PREFIX}/pin/rm`, (req, res) => {
    const cid = cidArg(req)
    const all = pins()
    if (!cid || !(cid in all)) return res.status(404).json({ error: 'not_pinned', message: 'not pinned' })
    delete all[cid]
    savePins(all)
    res.json({ Pins: [cid] })
  })
  app.post(`${PREFIX}/pin/ls`, (req, res) => {
    const keys = {}
    for (const [cid, type] of Object.entries(pins())) keys[cid] = { Type: type }
    res.json({ Keys: keys })
  })
  app.post(`${PREFIX}/id`, (req, res) => res.json({ ID: peerId, AgentVersion: `capsign-rpc/${VERSION}` }))
  app.post(`${PREFIX}/version`, (req, res) => res.json({ Version: VERSION }))
  app.post(`${PREFIX}/token/create`, (req, res) => {
    const requested = [].concat(req.query.arg ?? []).map(String)
    const held = req.capsign.permissions ?? []
    if (requested.length === 0) return res.status(400).json({ error: 'no_permissions', message: 'name at least one permission (arg=…)' })
    // Only narrower: every requested permission must be covered by the caller's.
    if (!covers(held, requested)) {
      log({ status: 403, code: 'widening', method: 'POST', path: `${PREFIX}/token/create` })
      return res.status(403).json({ error: 'denied', message: 'the requested permissions are not covered by the token used' })
    }
    const now = Math.floor(Date.now() / 1000)
    const lifetime = Math.min(Number(req.query.lifetime ?? 900) || 900, 24 * 3600)
    // Never outlive the token that minted it.
    const expiry = Math.min(now + lifetime, req.capsign.expiry)
    const minted = signer.issue({ expiry, permissions: requested, now })
    res.json({ Token: minted.token, Expiry: minted.expiry, Permissions: requested })
  })
  app.use((err, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500
    res.status(status).json({ error: status === 413 ? 'too_large' : 'error', message: status === 500 ? 'internal error' : err.message })
  })

  const rootToken = signer.issue({ expiresIn: 24 * 3600, permissions: ROOT_PERMISSIONS }).token
  return { app, signer, rootToken }
}

function main() {
  const dataDir = path.resolve(process.env.CAPSIGN_RPC_DATA ?? path.join(__dirname, 'data'))
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const port = Number(process.env.PORT ?? 5001)
  const { app, rootToken } = createApp({
    dataDir,
    log: (r) => console.log(`refused ${r.method} ${r.path}: ${r.status} ${r.code}`),
  })
  const server = app.listen(port, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}${PREFIX}`
    console.log(`capsign RPC API on ${base}`)
    console.log(`root token (every permission, 24 hours):\n  ${rootToken}\n`)
    console.log(`try:\n  curl -X POST -H "Authorization: Bearer $TOKEN" ${base}/version`)
  })
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is taken: set PORT to another one` : e.message)
    process.exit(1)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

module.exports = { createApp, cidOf, ROOT_PERMISSIONS, PREFIX }

if (require.main === module) main()

'use strict'
// A local RPC API on 127.0.0.1 that real IPFS clients (kubo-rpc-client, ipfs-http-client,
// ipfshttpclient) can use unchanged, protected by capsign capability tokens.
//
//   node examples/express_rpc/server.js        (after `npm install` at the repository root)
//
// Every command is a POST under /api/v0 (as in Kubo), and every request must carry a
// token whose permissions allow that command (README.md lists them). The node has an
// Ed25519 identity: `id` answers its libp2p peer ID, its tokens are signed with that key,
// and anyone who knows the peer ID can check one (`capsign verify --peer-id …`). The
// options that only shape transport and output (`stream-channels`, `progress`, `timeout`,
// …: `KUBO_IGNORE`) are not part of the command; boolean options follow Kubo (`true`,
// `True`, `1`, `t`, or empty, are the bare flag; false is the same as absent).
// `token create <permission>…` mints a narrower token only when the caller's own
// permissions cover every requested one. A page from another origin can make the browser
// send requests here (the CSRF of the IPFS API-tokens issue), but it cannot attach a
// token: no cookie or ambient authority is ever accepted.

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const busboy = require('busboy')
const express = require('express')
const { KUBO_IGNORE, MemoryStore, Permission, Signer, SigningKey, Verifier, covers } = require('capsign')
const { capsign } = require('capsign/express')

const PREFIX = '/api/v0'
// ipfshttpclient 0.7 refuses to connect to a node outside [0.4.23, 0.8.0); this API
// follows the RPC of that era for the commands it has, and says so.
const VERSION = '0.7.0-capsign'
const AGENT = 'capsign-rpc/0.1.0'
const MAX_ADD_BYTES = 10 * 1024 * 1024

/** Every command of this API, as permissions: the root token holds them all. */
const ROOT_PERMISSIONS = [
  'add [--pin]',
  'cat [--offset=*] [--length=*] *',
  'pin add [--recursive] *',
  'pin rm [--recursive] *',
  'pin ls [--type=*] **',
  'id',
  'version',
  'token create **',
  'token revoke [--expiry=*] *',
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
    value = ((value << 8) | byte) & 0xfff
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

/** Go's strconv.ParseBool, case-insensitive, as Kubo reads boolean options ('' is true). */
function parseBool(value, fallback) {
  if (value === undefined) return fallback
  const v = String(value).toLowerCase()
  if (v === '' || v === '1' || v === 't' || v === 'true') return true
  if (v === '0' || v === 'f' || v === 'false') return false
  return fallback
}

/** The node's signing key: `<dataDir>/node.key` (mode 600), made on first use. */
function loadNodeKey(file) {
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${SigningKey.generate().toText()}\n`, { mode: 0o600, flag: 'wx' })
  }
  return new SigningKey(fs.readFileSync(file, 'utf8').trim())
}

/** Kubo's error shape, which every IPFS client shows: `{Message, Code, Type}`. */
function kuboError(res, status, message) {
  return res.status(status).json({ Message: message, Code: 0, Type: 'error' })
}

/** The query's values for `name` (a string, or every value when repeated). */
function values(query, name) {
  const raw = Object.hasOwn(query, name) ? query[name] : undefined
  return raw === undefined ? [] : [].concat(raw).map(String)
}

/**
 * The API as an Express app. `dataDir` holds the blocks, the pins and (unless
 * `signingKey` is given) the node's key; `store` (default: a MemoryStore; a RedisStore to
 * share it) holds revocations and use counts. Returns
 * `{ app, signer, verifier, store, peerId, rootToken }`.
 */
function createApp({ dataDir, signingKey, store = new MemoryStore(), log = () => {}, maxAddBytes = MAX_ADD_BYTES } = {}) {
  const blocks = path.join(dataDir, 'blocks')
  fs.mkdirSync(blocks, { recursive: true, mode: 0o700 })
  const pinsFile = path.join(dataDir, 'pins.json')
  const key = signingKey ?? loadNodeKey(path.join(dataDir, 'node.key'))
  const signer = new Signer(null, { signingKey: key })
  const peerId = signer.kid
  // The verifier holds only the public key: it can check tokens, never make one.
  const verifier = new Verifier(null, { publicKeys: { [peerId]: key.publicKey } })
  // libp2p's protobuf PublicKey (Type Ed25519 = 1, Data = the 32 bytes), as Kubo's `id` prints it.
  const publicKeyProto = Buffer.concat([
    Buffer.from([0x08, 0x01, 0x12, 0x20]),
    Buffer.from(key.publicKey.toBase64url(), 'base64url'),
  ]).toString('base64')

  const pins = () => (fs.existsSync(pinsFile) ? JSON.parse(fs.readFileSync(pinsFile, 'utf8')) : {})
  const savePins = (value) => fs.writeFileSync(pinsFile, JSON.stringify(value, null, 2))
  /** The CIDs named by `arg` (`<cid>` or `/ipfs/<cid>`); `null` if one is not a CID. */
  const cidArgs = (req) => {
    const cids = values(req.query, 'arg').map((a) => (a.startsWith('/ipfs/') ? a.slice('/ipfs/'.length) : a))
    return cids.every((c) => CID.test(c)) ? cids : null
  }
  const stored = (cid) => fs.existsSync(path.join(blocks, cid))

  const app = express()
  app.disable('x-powered-by')
  // Kubo answers 405 to anything but POST: no command runs from a GET (an <img src>).
  app.use(PREFIX, (req, res, next) => {
    if (req.method !== 'POST') {
      res.set('Allow', 'POST')
      return kuboError(res, 405, 'the RPC API takes POST only')
    }
    return next()
  })
  // Every command: credentials first, before any body is read.
  const rpcGate = capsign({ verifier, store, rpc: PREFIX, ignore: KUBO_IGNORE, log })
  // `token create` reads `lifetime` and `uses` itself (numbers it bounds, which Kubo's
  // boolean spellings would otherwise turn `1` into a bare flag): they are not part of the
  // command, whose arguments are the permissions asked for.
  const mintGate = capsign({ verifier, store, rpc: PREFIX, ignore: [...KUBO_IGNORE, 'lifetime', 'uses'], log })
  app.use(PREFIX, (req, res, next) => (req.path === '/token/create' ? mintGate : rpcGate)(req, res, next))

  app.post(`${PREFIX}/add`, (req, res) => {
    let parser
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxAddBytes, files: 64, fields: 0 } })
    } catch {
      return kuboError(res, 400, 'add takes a multipart/form-data body (one part per file)')
    }
    const added = []
    let failed = null
    parser.on('file', (name, stream, info) => {
      if (info.mimeType === 'application/x-directory') return stream.resume()
      const chunks = []
      stream.on('data', (c) => chunks.push(c))
      stream.on('limit', () => {
        failed = [413, `a file may hold at most ${maxAddBytes} bytes`]
      })
      stream.on('end', () => {
        if (failed) return
        const bytes = Buffer.concat(chunks)
        const cid = cidOf(bytes)
        fs.writeFileSync(path.join(blocks, cid), bytes, { mode: 0o600 })
        let filename = cid
        try {
          filename = info.filename ? decodeURIComponent(info.filename) : cid
        } catch {
          filename = cid
        }
        added.push({ Name: filename, Hash: cid, Size: String(bytes.length) })
      })
    })
    parser.on('filesLimit', () => {
      failed = [413, 'at most 64 files per add']
    })
    parser.on('error', () => {
      failed ??= [400, 'the multipart body could not be read']
      if (!res.headersSent) kuboError(res, ...failed)
    })
    parser.on('close', () => {
      if (res.headersSent) return
      if (failed) return kuboError(res, ...failed)
      if (added.length === 0) return kuboError(res, 400, 'no file in the request')
      // Kubo pins what it adds unless pin=false.
      if (parseBool(values(req.query, 'pin').at(-1), true)) {
        const all = pins()
        for (const a of added) all[a.Hash] = 'recursive'
        savePins(all)
      }
      res.set('X-Chunked-Output', '1')
      res.type('application/json').send(added.map((a) => `${JSON.stringify(a)}\n`).join(''))
    })
    req.pipe(parser)
  })

  app.post(`${PREFIX}/cat`, (req, res) => {
    const cids = cidArgs(req)
    if (!cids || cids.length !== 1) return kuboError(res, 400, 'cat takes one argument: a CID or /ipfs/<cid>')
    if (!stored(cids[0])) return kuboError(res, 404, 'block not found')
    const bytes = fs.readFileSync(path.join(blocks, cids[0]))
    const offset = Number(values(req.query, 'offset').at(-1) ?? 0)
    const length = values(req.query, 'length').at(-1)
    if (!Number.isSafeInteger(offset) || offset < 0) return kuboError(res, 400, 'offset must be a non-negative integer')
    const end = length === undefined ? bytes.length : offset + Number(length)
    if (!Number.isSafeInteger(end) || end < offset) return kuboError(res, 400, 'length must be a non-negative integer')
    res.set('X-Stream-Output', '1')
    return res.type('text/plain').send(bytes.subarray(offset, end))
  })

  app.post(`${PREFIX}/pin/add`, (req, res) => {
    const cids = cidArgs(req)
    if (!cids || cids.length === 0) return kuboError(res, 400, 'pin add takes CIDs (or /ipfs/<cid>)')
    const missing = cids.find((c) => !stored(c))
    if (missing) return kuboError(res, 404, `block ${missing} not found`)
    const all = pins()
    const recursive = parseBool(values(req.query, 'recursive').at(-1), true)
    for (const cid of cids) all[cid] = recursive ? 'recursive' : 'direct'
    savePins(all)
    return res.json({ Pins: cids })
  })

  app.post(`${PREFIX}/pin/rm`, (req, res) => {
    const cids = cidArgs(req)
    if (!cids || cids.length === 0) return kuboError(res, 400, 'pin rm takes CIDs (or /ipfs/<cid>)')
    const all = pins()
    const unpinned = cids.find((c) => !Object.hasOwn(all, c))
    if (unpinned) return kuboError(res, 404, `${unpinned} is not pinned`)
    for (const cid of cids) delete all[cid]
    savePins(all)
    return res.json({ Pins: cids })
  })

  app.post(`${PREFIX}/pin/ls`, (req, res) => {
    const type = values(req.query, 'type').at(-1) ?? 'all'
    if (!['all', 'direct', 'recursive', 'indirect'].includes(type)) {
      return kuboError(res, 400, 'type must be one of all, direct, recursive, indirect')
    }
    const only = cidArgs(req)
    if (!only) return kuboError(res, 400, 'pin ls takes CIDs (or /ipfs/<cid>)')
    const listed = Object.entries(pins()).filter(
      ([cid, t]) => (type === 'all' || t === type) && (only.length === 0 || only.includes(cid)),
    )
    const missing = only.find((c) => !listed.some(([cid]) => cid === c))
    if (missing) return kuboError(res, 404, `${missing} is not pinned`)
    // As Kubo: one object per line when the client asks for a stream, one object otherwise.
    if (parseBool(values(req.query, 'stream').at(-1), false)) {
      res.set('X-Chunked-Output', '1')
      return res.type('application/json').send(listed.map(([cid, t]) => `${JSON.stringify({ Cid: cid, Type: t })}\n`).join(''))
    }
    return res.json({ Keys: Object.fromEntries(listed.map(([cid, t]) => [cid, { Type: t }])) })
  })

  app.post(`${PREFIX}/id`, (req, res) => {
    const asked = values(req.query, 'arg')
    if (asked.length > 0 && !(asked.length === 1 && asked[0] === peerId)) {
      return kuboError(res, 400, 'this node knows only itself')
    }
    return res.json({ ID: peerId, PublicKey: publicKeyProto, Addresses: [], AgentVersion: AGENT, Protocols: [] })
  })

  app.post(`${PREFIX}/version`, (req, res) => res.json({ Version: VERSION, Commit: '', Repo: '', System: `node/${process.platform}`, Golang: '' }))

  app.post(`${PREFIX}/token/create`, (req, res) => {
    const requested = values(req.query, 'arg')
    const held = req.capsign.permissions ?? []
    // A token limited in uses cannot delegate: its children would not share its count.
    // (Children never outlive their parent; revoking a parent does not revoke them.)
    if (req.capsign.policy.uses !== undefined) {
      return kuboError(res, 403, 'a token limited in uses cannot mint others')
    }
    if (requested.length === 0) return kuboError(res, 400, 'name at least one permission (arg=…)')
    try {
      for (const p of requested) new Permission(p)
    } catch (e) {
      if (e?.code === 'invalid_permission') return kuboError(res, 400, e.message)
      throw e
    }
    // Only narrower: every requested permission must be covered by the caller's.
    if (!covers(held, requested)) {
      log({ status: 403, code: 'widening', method: 'POST', path: `${PREFIX}/token/create` })
      return kuboError(res, 403, 'the requested permissions are not covered by the token used')
    }
    const lifetimeText = values(req.query, 'lifetime').at(-1) ?? '900'
    const lifetime = Number(lifetimeText)
    if (!/^[0-9]{1,6}$/.test(lifetimeText) || lifetime < 1) return kuboError(res, 400, 'lifetime is a number of seconds')
    const usesText = values(req.query, 'uses').at(-1)
    if (usesText !== undefined && !/^[1-9][0-9]{0,5}$/.test(usesText)) return kuboError(res, 400, 'uses is a number of requests, 1 to 999999')
    const now = Math.floor(Date.now() / 1000)
    // At most a day, and never longer than the token that minted it.
    const expiry = Math.min(now + Math.min(lifetime, 24 * 3600), req.capsign.expiry)
    // Every minted token has a jti, so that it can be revoked.
    const jti = crypto.randomBytes(12).toString('base64url')
    const uses = usesText === undefined ? undefined : Number(usesText)
    const minted = signer.issue({ expiry, permissions: requested, now, jti, uses })
    return res.json({ Token: minted.token, Expiry: minted.expiry, Permissions: requested, Jti: jti })
  })

  // Revokes one token by its jti, until its expiry (given, or a day: the longest a minted
  // token lives), in this node's store.
  app.post(`${PREFIX}/token/revoke`, async (req, res, next) => {
    const [jti] = values(req.query, 'arg')
    const expiryText = values(req.query, 'expiry').at(-1)
    const expiry = expiryText === undefined ? Math.floor(Date.now() / 1000) + 24 * 3600 : Number(expiryText)
    if (!jti || !Number.isSafeInteger(expiry) || expiry < 0) return kuboError(res, 400, 'token revoke takes a jti (arg=…) and an optional expiry')
    try {
      await store.revoke({ jti, expiry })
    } catch (e) {
      if (e?.name === 'CapsignError') return kuboError(res, e.status, e.message)
      return next(e)
    }
    return res.json({ Revoked: jti })
  })

  app.use((err, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500
    kuboError(res, status, status === 500 ? 'internal error' : err.message)
  })

  const rootToken = signer.issue({ expiresIn: 24 * 3600, permissions: ROOT_PERMISSIONS }).token
  return { app, signer, verifier, store, peerId, rootToken }
}

function main() {
  const dataDir = path.resolve(process.env.CAPSIGN_RPC_DATA ?? path.join(__dirname, 'data'))
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const port = Number(process.env.PORT ?? 5001)
  const { app, rootToken, peerId } = createApp({
    dataDir,
    log: (r) => console.log(`refused ${r.method} ${r.path}: ${r.status} ${r.code}`),
  })
  // The root token holds every permission: it goes to a file only its owner can read,
  // never to the log.
  const tokenFile = path.join(dataDir, 'root-token')
  fs.writeFileSync(tokenFile, `${rootToken}\n`, { mode: 0o600 })
  fs.chmodSync(tokenFile, 0o600)
  const server = app.listen(port, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}${PREFIX}`
    console.log(`capsign RPC API on ${base}`)
    console.log(`peer ID ${peerId}`)
    console.log(`root token (every permission, 24 hours) in ${tokenFile} (mode 600)`)
  })
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is taken: set PORT to another one` : e.message)
    process.exit(1)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

module.exports = { createApp, cidOf, parseBool, ROOT_PERMISSIONS, PREFIX, VERSION }

if (require.main === module) main()

'use strict'
// The demo's file API (Node, Express). Every request is verified natively by capsign:
//
// - POST /files?path=/uploads/<user>/<name>   upload, with Filestack-style `pick` credentials
//   (the path and the declared size are checked against the policy before a byte is read);
// - GET  /files/<handle>                      download, with `read` credentials for that handle;
// - POST /api/v0/...                           the IPFS-style RPC API of examples/express_rpc,
//   under capability tokens.
//
// File credentials are issued by the Flask service (Python) and verified here (Node) with
// the same secret. The RPC node has an Ed25519 identity (its peer ID is what `id`
// answers); its tokens are checked with the public key alone, which it publishes at
// /.well-known/capsign-keys.json. Started by examples/demo/run.py; configuration comes
// from the environment.

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { MemoryStore, RedisStore, SigningKey, Verifier } = require('capsign')
const { capsign, keySet } = require('capsign/express')
const { createApp: createRpcApp } = require('../../express_rpc/server.js')

/** A Filestack-like handle: 20 random alphanumeric characters. */
function newHandle() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(crypto.randomBytes(20), (b) => alphabet[b % alphabet.length]).join('')
}

/**
 * The API as an Express app: `secret` verifies file credentials, `nodeKey` is the RPC
 * node's identity, `dataDir` holds the files, `webOrigin` is the demo's web page origin
 * (the only one allowed to call from scripts).
 */
function createApi({ secret, nodeKey, dataDir, webOrigin, store = new MemoryStore(), log = () => {} }) {
  const verifier = new Verifier(secret)
  const filesDir = path.join(dataDir, 'files')
  fs.mkdirSync(filesDir, { recursive: true, mode: 0o700 })
  const indexFile = path.join(dataDir, 'files.json')
  const index = fs.existsSync(indexFile) ? JSON.parse(fs.readFileSync(indexFile, 'utf8')) : {}
  const stored = (handle) => (Object.hasOwn(index, handle) ? index[handle] : undefined)

  const app = express()
  app.disable('x-powered-by')
  // Scripts on the demo's own pages may call the API (with a token). Any other origin can
  // still make a browser *send* a request (an <img>, a form), but never with a token.
  app.use((req, res, next) => {
    if (req.headers.origin === webOrigin) {
      res.set('Access-Control-Allow-Origin', webOrigin)
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type')
      res.set('Access-Control-Allow-Methods', 'GET, POST')
      res.set('Vary', 'Origin')
    }
    if (req.method === 'OPTIONS') return res.sendStatus(204)
    return next()
  })

  // The one `path` parameter of an upload (a repeated one is refused, never joined).
  const uploadPath = (req) => {
    const q = (req.originalUrl ?? req.url).split('?')[1] ?? ''
    const paths = new URLSearchParams(q).getAll('path')
    return paths.length === 1 ? paths[0] : undefined
  }
  app.post(
    '/files',
    // What is stored is what was sent: a compressed body would be inflated past the size
    // the policy allowed, so it is refused before the credentials are even read.
    (req, res, next) => {
      const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
      if (encoding !== 'identity') {
        return res.status(415).json({ error: 'unsupported_encoding', message: 'send the file as is (no Content-Encoding)' })
      }
      if (uploadPath(req) === undefined) {
        return res.status(400).json({ error: 'bad_path', message: 'give exactly one path parameter' })
      }
      return next()
    },
    capsign({
      verifier,
      store,
      call: 'pick',
      log,
      fields: (req) => {
        const length = req.headers['content-length']
        return { path: uploadPath(req), size: length === undefined ? undefined : Number(length) }
      },
    }),
    // The policy allowed the declared size; the body may not exceed it (raw-body checks
    // the length against Content-Length), and is never inflated.
    (req, res, next) =>
      express.raw({ type: () => true, inflate: false, limit: req.capsign.policy.maxSize ?? 64 * 1024 * 1024 })(req, res, next),
    (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const maxSize = req.capsign.policy.maxSize
      if (maxSize !== undefined && body.length > maxSize) {
        return res.status(413).json({ error: 'too_large', message: `at most ${maxSize} bytes` })
      }
      const handle = newHandle()
      fs.writeFileSync(path.join(filesDir, handle), body, { mode: 0o600 })
      index[handle] = { path: uploadPath(req), size: body.length, type: req.headers['content-type'] ?? 'application/octet-stream' }
      fs.writeFileSync(indexFile, JSON.stringify(index, null, 2))
      return res.status(201).json({ handle, path: index[handle].path, size: body.length })
    },
  )

  app.get(
    '/files/:handle',
    capsign({
      verifier,
      store,
      call: 'read',
      log,
      fields: (req) => ({ handle: req.params.handle, path: stored(req.params.handle)?.path }),
    }),
    (req, res) => {
      const meta = stored(req.params.handle)
      if (meta === undefined) return res.status(404).json({ error: 'not_found', message: 'no such file' })
      res.set('Content-Type', meta.type)
      res.set('Content-Disposition', `attachment; filename="${path.basename(meta.path).replace(/[^\w.-]/g, '_')}"`)
      return res.send(fs.readFileSync(path.join(filesDir, req.params.handle)))
    },
  )

  const rpc = createRpcApp({ dataDir: path.join(dataDir, 'ipfs'), signingKey: nodeKey, store, log })
  // Anyone may fetch the node's public key, and check its tokens without holding a secret.
  app.get('/.well-known/capsign-keys.json', keySet(rpc.verifier))
  app.use(rpc.app)

  app.use((err, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500
    res.status(status).json({ error: status === 413 ? 'too_large' : 'bad_request', message: status === 500 ? 'internal error' : err.message })
  })
  return { app, rootToken: rpc.rootToken, peerId: rpc.peerId }
}

/** The store: Redis when REDIS_URL is set (shared by every instance), memory otherwise. */
async function storeFor(url) {
  if (!url) return { store: new MemoryStore(), close: async () => {}, kind: 'memory' }
  const { createClient } = require('redis')
  // Commands fail fast while Redis is away (503), instead of queueing.
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 2000 } })
  client.on('error', (e) => console.error(`api: redis: ${e.code ?? e.message}`))
  await client.connect()
  return { store: new RedisStore(client), close: () => client.quit(), kind: 'redis' }
}

async function main() {
  const env = process.env
  const dataDir = path.resolve(env.DEMO_DATA ?? path.join(__dirname, '..', 'data'))
  const secret = fs.readFileSync(env.DEMO_SECRET_FILE ?? path.join(dataDir, 'secret'), 'utf8').trim()
  const nodeKey = new SigningKey(fs.readFileSync(env.DEMO_NODE_KEY_FILE ?? path.join(dataDir, 'node.key'), 'utf8').trim())
  const host = env.DEMO_HOST ?? '127.0.0.1'
  const port = Number(env.DEMO_API_PORT ?? 8001)
  const { store, close, kind } = await storeFor(env.REDIS_URL)
  const { app, rootToken, peerId } = createApi({
    secret,
    nodeKey,
    store,
    dataDir,
    webOrigin: env.DEMO_WEB_ORIGIN ?? 'http://127.0.0.1:8000',
    log: (r) => console.log(`api: refused ${r.method} ${r.path}: ${r.status} ${r.code}`),
  })
  // The root token holds every permission: it goes to a file only its owner can read,
  // never to the log.
  const tokenFile = path.join(dataDir, 'root-token')
  fs.writeFileSync(tokenFile, `${rootToken}\n`, { mode: 0o600 })
  fs.chmodSync(tokenFile, 0o600)
  const server = app.listen(port, host, () => {
    console.log(`api: listening on http://${host}:${server.address().port} (node ${peerId}; ${kind} store; root RPC token in ${tokenFile}, mode 600)`)
  })
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `api: port ${port} is taken: set DEMO_API_PORT to another one` : `api: ${e.message}`)
    process.exit(2)
  })
  const stop = () => server.close(() => close().finally(() => process.exit(0)))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

module.exports = { createApi }

if (require.main === module) {
  main().catch((e) => {
    console.error(`api: ${e.message}`)
    process.exit(2)
  })
}

'use strict'
// The demo's file API (Node, Express). Every request is verified natively by capsign:
//
// - POST /files?path=/uploads/<user>/<name>   upload, with Filestack-style `pick` credentials
//   (the path and the declared size are checked against the policy before a byte is read);
// - GET  /files/<handle>                      download, with `read` credentials for that handle;
// - POST /api/v0/...                           the IPFS-style RPC API of examples/express_rpc,
//   under capability tokens.
//
// Credentials are issued by the Flask service (Python) and verified here (Node) with the
// same secret. Started by examples/demo/run.py; configuration comes from the environment.

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { Verifier } = require('capsign')
const { capsign } = require('capsign/express')
const { createApp: createRpcApp } = require('../../express_rpc/server.js')

/** A Filestack-like handle: 20 random alphanumeric characters. */
function newHandle() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(crypto.randomBytes(20), (b) => alphabet[b % alphabet.length]).join('')
}

/**
 * The API as an Express app: `secret` signs and verifies, `dataDir` holds the files,
 * `webOrigin` is the demo's web page origin (the only one allowed to call from scripts).
 */
function createApi({ secret, dataDir, webOrigin, log = () => {} }) {
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

  app.post(
    '/files',
    capsign({
      verifier,
      call: 'pick',
      log,
      fields: (req) => {
        const length = req.headers['content-length']
        return { path: String(req.query.path ?? ''), size: length === undefined ? undefined : Number(length) }
      },
    }),
    // The policy allowed the declared size; the body may not exceed it (raw-body checks
    // the length against Content-Length).
    express.raw({ type: () => true, limit: '64mb' }),
    (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const handle = newHandle()
      fs.writeFileSync(path.join(filesDir, handle), body, { mode: 0o600 })
      index[handle] = { path: String(req.query.path), size: body.length, type: req.headers['content-type'] ?? 'application/octet-stream' }
      fs.writeFileSync(indexFile, JSON.stringify(index, null, 2))
      res.status(201).json({ handle, path: index[handle].path, size: body.length })
    },
  )

  app.get(
    '/files/:handle',
    capsign({
      verifier,
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

  const rpc = createRpcApp({ dataDir: path.join(dataDir, 'ipfs'), secret, log })
  app.use(rpc.app)

  app.use((err, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500
    res.status(status).json({ error: status === 413 ? 'too_large' : 'bad_request', message: status === 500 ? 'internal error' : err.message })
  })
  return { app, rootToken: rpc.rootToken }
}

function main() {
  const env = process.env
  const dataDir = path.resolve(env.DEMO_DATA ?? path.join(__dirname, '..', 'data'))
  const secret = fs.readFileSync(env.DEMO_SECRET_FILE ?? path.join(dataDir, 'secret'), 'utf8').trim()
  const host = env.DEMO_HOST ?? '127.0.0.1'
  const port = Number(env.DEMO_API_PORT ?? 8001)
  const { app, rootToken } = createApi({
    secret,
    dataDir,
    webOrigin: env.DEMO_WEB_ORIGIN ?? 'http://127.0.0.1:8000',
    log: (r) => console.log(`api: refused ${r.method} ${r.path}: ${r.status} ${r.code}`),
  })
  const server = app.listen(port, host, () => {
    console.log(`api: listening on http://${host}:${server.address().port} (root RPC token: ${rootToken})`)
  })
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `api: port ${port} is taken: set DEMO_API_PORT to another one` : `api: ${e.message}`)
    process.exit(2)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

module.exports = { createApi }

if (require.main === module) main()

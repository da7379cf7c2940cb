'use strict'
// A Kubo-style RPC service on Fastify, protected by capsign capability tokens.
//
//   node examples/fastify_rpc/server.js      (after `npm install` at the repository root)
//
// The node has an Ed25519 key (data/node.key, mode 600): its tokens are checked with the
// public key alone, `id` answers its peer ID, and the public key set is served at
// /.well-known/capsign-keys.json. Commands are POSTs under /api/v0, mapped to commands as
// Kubo clients send them (KUBO_IGNORE); each needs a token whose permissions allow it:
// `version`, `id`, `pin add [--recursive] *`, `pin rm [--recursive] *`, `pin ls [--type=*] **`.
// The root token (every permission, one hour) is written to data/root-token (mode 600).

const fs = require('node:fs')
const path = require('node:path')
const Fastify = require('fastify')
const { KUBO_IGNORE, MemoryStore, Signer, SigningKey, Verifier } = require('capsign')

const PREFIX = '/api/v0'
const ROOT_PERMISSIONS = ['version', 'id', 'pin add [--recursive] *', 'pin rm [--recursive] *', 'pin ls [--type=*] **']
const CID = /^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58})$/

function nodeKey(dataDir) {
  const file = path.join(dataDir, 'node.key')
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${SigningKey.generate().toText()}\n`, { mode: 0o600, flag: 'wx' })
  return new SigningKey(fs.readFileSync(file, 'utf8').trim())
}

/** The service as a Fastify instance (not listening yet): `{ app, signer, rootToken }`. */
function createApp({ dataDir, store = new MemoryStore(), logger = false }) {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const key = nodeKey(dataDir)
  const signer = new Signer(null, { signingKey: key })
  const verifier = new Verifier(null, { publicKeys: { [signer.kid]: key.publicKey } })
  const pins = new Map()
  const kuboError = (reply, status, message) => reply.code(status).send({ Message: message, Code: 0, Type: 'error' })
  const cids = (query) => [].concat(query.arg ?? []).map((a) => String(a).replace(/^\/ipfs\//, ''))

  const app = Fastify({ logger })
  app.register(require('capsign/fastify'), { verifier, store })
  app.register(async (api) => {
    api.get('/.well-known/capsign-keys.json', api.capsignKeySet())
    // Every command: credentials first (onRequest runs before the body is read).
    const rpc = { onRequest: api.capsign({ rpc: PREFIX, ignore: KUBO_IGNORE }) }
    api.post(`${PREFIX}/version`, rpc, async () => ({ Version: '0.7.0-capsign', Commit: '', Repo: '', System: 'node', Golang: '' }))
    api.post(`${PREFIX}/id`, rpc, async () => ({ ID: signer.kid, Addresses: [], AgentVersion: 'capsign-fastify/0.1.0', Protocols: [] }))
    api.post(`${PREFIX}/pin/add`, rpc, async (req, reply) => {
      const named = cids(req.query)
      if (named.length === 0 || !named.every((c) => CID.test(c))) return kuboError(reply, 400, 'pin add takes CIDs')
      const recursive = !/^(0|f|false)$/i.test(String(req.query.recursive ?? 'true'))
      for (const c of named) pins.set(c, recursive ? 'recursive' : 'direct')
      return { Pins: named }
    })
    api.post(`${PREFIX}/pin/rm`, rpc, async (req, reply) => {
      const named = cids(req.query)
      if (named.length === 0 || !named.every((c) => pins.has(c))) return kuboError(reply, 404, 'not pinned')
      for (const c of named) pins.delete(c)
      return { Pins: named }
    })
    api.post(`${PREFIX}/pin/ls`, rpc, async (req) => {
      const type = String(req.query.type ?? 'all')
      const listed = [...pins].filter(([, t]) => type === 'all' || t === type)
      return { Keys: Object.fromEntries(listed.map(([c, t]) => [c, { Type: t }])) }
    })
  })
  const rootToken = signer.issue({ expiresIn: 3600, permissions: ROOT_PERMISSIONS }).token
  return { app, signer, rootToken }
}

async function main() {
  const dataDir = path.resolve(process.env.CAPSIGN_RPC_DATA ?? path.join(__dirname, 'data'))
  const { app, signer, rootToken } = createApp({ dataDir, logger: { level: 'warn' } })
  const tokenFile = path.join(dataDir, 'root-token')
  fs.writeFileSync(tokenFile, `${rootToken}\n`, { mode: 0o600 })
  await app.listen({ port: Number(process.env.PORT ?? 5002), host: '127.0.0.1' })
  console.log(`capsign RPC (Fastify) on http://127.0.0.1:${app.server.address().port}${PREFIX}`)
  console.log(`peer ID ${signer.kid}; root token in ${tokenFile} (mode 600)`)
}

module.exports = { createApp, ROOT_PERMISSIONS }

if (require.main === module) {
  main().catch((e) => {
    console.error(e.code === 'EADDRINUSE' ? 'the port is taken: set PORT to another one' : e.message)
    process.exit(1)
  })
}

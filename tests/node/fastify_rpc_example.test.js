'use strict'
// examples/fastify_rpc with kubo-rpc-client (npm), unchanged: each operation with the
// example's documented permission, 403 without it, 401 without a token.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const capsign = require('capsign')
const { createApp } = require('../../examples/fastify_rpc/server.js')

let made
let url
let dataDir

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-fastify-rpc-'))
  made = createApp({ dataDir })
  await made.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${made.app.server.address().port}/api/v0`
})

after(async () => {
  await made.app.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('kubo-rpc-client: version, id and pins, each with only its permission', async () => {
  const { create } = await import('kubo-rpc-client')
  const { CID } = await import('multiformats/cid')
  const client = (...permissions) =>
    create({ url, headers: permissions.length ? { authorization: `Bearer ${made.signer.issue({ permissions }).token}` } : {} })
  const cid = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
  assert.ok((await client('version').version()).version.startsWith('0.7.0'))
  assert.equal((await client('id').id()).id.toString(), made.signer.kid)
  assert.equal((await client('pin add [--recursive] *').pin.add(cid)).toString(), cid.toString())
  const listed = []
  for await (const p of client('pin ls [--type=*] **').pin.ls()) listed.push(p.cid.toString())
  assert.deepEqual(listed, [cid.toString()])
  const status = async (promise) => promise.then(() => 200, (e) => e.response?.status)
  assert.equal(await status(client('version').pin.rm(cid)), 403)
  assert.equal(await status(client().pin.rm(cid)), 401)
  assert.equal((await client('pin rm [--recursive] *').pin.rm(cid)).toString(), cid.toString())
  // Only the public key is needed to check the node's tokens.
  const keys = await (await fetch(url.replace('/api/v0', '/.well-known/capsign-keys.json'))).text()
  assert.equal(new capsign.Verifier(null, { keySet: keys }).verifyToken(made.rootToken, { command: 'id' }).kid, made.signer.kid)
})

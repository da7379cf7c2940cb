'use strict'
// The real IPFS clients from npm (kubo-rpc-client 7, ipfs-http-client 60), unchanged,
// against the Express RPC example and a Flask RPC app (tests/servers/flask_server.py).
// For each operation: allowed with the permission the README documents, 403 with a
// token for another operation, 401 without a token. The CIDs are checked with
// multiformats, an implementation we did not write.

const { test, before, after, describe } = require('node:test')
const assert = require('node:assert/strict')
const capsign = require('capsign')
const { startExpressRpc, startFlask } = require('./support/servers.js')

const SECRET = 'filestack-secret-of-the-tests'
const nodeKey = capsign.SigningKey.generate()
const signer = new capsign.Signer(null, { signingKey: nodeKey })
const token = (...permissions) => signer.issue({ permissions, expiresIn: 600 }).token

/** The permission each operation needs, as the README documents it. */
const DOCUMENTED = {
  version: 'version',
  id: 'id',
  add: 'add',
  cat: 'cat *',
  'pin add': 'pin add [--recursive] *',
  'pin rm': 'pin rm [--recursive] *',
  'pin ls': 'pin ls [--type=*] **',
}

async function collect(iterable) {
  const out = []
  for await (const item of iterable) out.push(item)
  return out
}

/** The HTTP status of a client's failure (both clients put the response on the error). */
async function statusOf(promise) {
  try {
    await promise
  } catch (e) {
    const status = e?.response?.status
    if (status === undefined) throw e
    return status
  }
  return 200
}

const servers = {
  'Express example': () => startExpressRpc(nodeKey),
  'Flask RPC app': () => startFlask({ seedText: nodeKey.toText(), secret: SECRET }),
}
const clients = {
  'kubo-rpc-client': async () => (await import('kubo-rpc-client')).create,
  'ipfs-http-client': async () => (await import('ipfs-http-client')).create,
}

for (const [serverName, start] of Object.entries(servers)) {
  describe(serverName, () => {
    let server
    before(async () => {
      server = await start()
    })
    after(() => server.close())

    for (const [clientName, load] of Object.entries(clients)) {
      test(`${clientName}: every operation with its documented permission, and nothing else`, async () => {
        const create = await load()
        const { CID } = await import('multiformats/cid')
        const raw = await import('multiformats/codecs/raw')
        const { sha256 } = await import('multiformats/hashes/sha2')
        const client = (...permissions) =>
          create({ url: `${server.url}/api/v0`, headers: permissions.length ? { authorization: `Bearer ${token(...permissions)}` } : {} })
        const bytes = new TextEncoder().encode(`hello from ${clientName} to ${serverName}\n`)
        const expected = CID.create(1, raw.code, await sha256.digest(bytes)).toString()

        // Each operation alone, with only its permission.
        const only = (op) => client(DOCUMENTED[op])
        assert.ok((await only('version').version()).version.startsWith('0.7.0'))
        assert.equal((await only('id').id()).id.toString(), server.peerId)
        const added = await only('add').add(bytes)
        assert.equal(added.cid.toString(), expected)
        const chunks = await collect(only('cat').cat(added.cid))
        assert.equal(Buffer.concat(chunks.map((c) => Buffer.from(c))).toString(), Buffer.from(bytes).toString())
        assert.equal((await only('pin add').pin.add(added.cid)).toString(), expected)
        const listed = await collect(only('pin ls').pin.ls())
        assert.ok(listed.some((p) => p.cid.toString() === expected && p.type === 'recursive'))
        assert.equal((await only('pin rm').pin.rm(added.cid)).toString(), expected)

        // A token for another operation: 403. No token: 401.
        const calls = {
          version: (c) => c.version(),
          id: (c) => c.id(),
          add: (c) => c.add(bytes),
          cat: (c) => collect(c.cat(added.cid)),
          'pin add': (c) => c.pin.add(added.cid),
          'pin rm': (c) => c.pin.rm(added.cid),
          'pin ls': (c) => collect(c.pin.ls()),
        }
        for (const [op, call] of Object.entries(calls)) {
          const other = op === 'version' ? 'id' : 'version'
          assert.equal(await statusOf(call(client(DOCUMENTED[other]))), 403, `${op} with only ${other}`)
          assert.equal(await statusOf(call(client())), 401, `${op} without a token`)
        }
        // The whole list lets a client do everything, as the root token does.
        const all = client(...Object.values(DOCUMENTED))
        const again = await all.add(bytes)
        await all.pin.add(again.cid, { recursive: false })
        assert.ok((await collect(all.pin.ls({ type: 'direct' }))).some((p) => p.cid.toString() === expected))
        await all.pin.rm(again.cid, { recursive: false })
      })
    }

    test('a narrower permission: cat of one CID only', async () => {
      const create = (await import('kubo-rpc-client')).create
      const root = create({ url: `${server.url}/api/v0`, headers: { authorization: `Bearer ${token(...Object.values(DOCUMENTED))}` } })
      const one = await root.add(new TextEncoder().encode('one'))
      const two = await root.add(new TextEncoder().encode('two'))
      const narrow = create({ url: `${server.url}/api/v0`, headers: { authorization: `Bearer ${token(`cat ${one.cid}`, `cat /ipfs/${one.cid}`)}` } })
      assert.equal(Buffer.from((await collect(narrow.cat(one.cid)))[0]).toString(), 'one')
      assert.equal(Buffer.from((await collect(narrow.cat(`/ipfs/${one.cid}`)))[0]).toString(), 'one')
      assert.equal(await statusOf(collect(narrow.cat(two.cid))), 403)
    })
  })
}

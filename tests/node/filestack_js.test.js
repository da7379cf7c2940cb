'use strict'
// filestack-js 4 (npm), unchanged, producing transform, download, retrieve and metadata
// requests whose credentials the Express middleware and the Flask extension check.
// Its hosts are pointed at a local server (its URL table is module-global, so it is
// changed in place), and DNS is answered only for that server: a lookup of anything
// else fails the suite, so no request can leave the machine.

const { test, before, after, describe } = require('node:test')
const assert = require('node:assert/strict')
const dns = require('node:dns')
const express = require('express')
const capsign = require('capsign')
const { capsign: middleware } = require('capsign/express')
const { listen, startFlask } = require('./support/servers.js')

const SECRET = 'filestack-secret-of-the-tests'
const APIKEY = 'AKEYxxxxxxxxxxxxxxxxx'
const HANDLE = 'AbCdEfGhIjKlMnOpQrSt'
const OTHER = 'ZyXwVuTsRqPoNmLkJiHg'

/** The Express side: the same routes as tests/servers/flask_server.py. */
function expressFiles() {
  const verifier = new capsign.Verifier(SECRET)
  const last = (req) => (req.originalUrl ?? req.url).split('?')[0].split('/').at(-1).split('+')[0]
  const app = express()
  app.get('/cdn/{*rest}', middleware({ verifier, call: 'read', securityTask: true, fields: (req) => ({ handle: last(req) }) }), (req, res) =>
    res.json({ served: last(req) }),
  )
  app.get('/api/file/:handle/metadata', middleware({ verifier, call: 'stat', fields: (req) => ({ handle: req.params.handle }) }), (req, res) =>
    res.json({ handle: req.params.handle, size: 0 }),
  )
  app.all('/api/file/:handle', middleware({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle.split('+')[0] }) }), (req, res) =>
    res.json({ served: req.params.handle.split('+')[0] }),
  )
  return app
}

/** Points filestack-js's hosts at `base`, and lets DNS answer only for it. */
function localFilestack(client, base) {
  const urls = client.session.urls
  const saved = { ...urls }
  Object.assign(urls, {
    cdnUrl: `${base}/cdn`,
    fileApiUrl: `${base}/api/file`,
    uploadApiUrl: `${base}/upload`,
    processUrl: `${base}/process`,
    cloudApiUrl: `${base}/cloud`,
  })
  const host = new URL(base).host
  const lookup = dns.lookup
  const refused = []
  // filestack-js's Node adapter looks up "127.0.0.1:PORT" (the port left in the host).
  dns.lookup = (name, options, callback) => {
    const cb = typeof options === 'function' ? options : callback
    const all = typeof options === 'object' && options?.all
    if (name !== host && name !== '127.0.0.1') {
      refused.push(name)
      return process.nextTick(cb, Object.assign(new Error(`no lookups in tests: ${name}`), { code: 'ENOTFOUND' }))
    }
    return all ? process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]) : process.nextTick(cb, null, '127.0.0.1', 4)
  }
  return {
    refused,
    restore() {
      Object.assign(urls, saved)
      dns.lookup = lookup
    },
  }
}

/** The status of a filestack-js call (it rejects with the response on the error). */
async function statusOf(promise) {
  try {
    await promise
    return 200
  } catch (e) {
    const status = e?.response?.status ?? e?.details?.response?.status ?? e?.status
    if (status === undefined) throw e
    return status
  }
}

const servers = {
  Express: async () => {
    const listening = await listen(expressFiles())
    return { url: `http://127.0.0.1:${listening.port}`, close: listening.close }
  },
  Flask: () => startFlask({ seedText: capsign.SigningKey.generate().toText(), secret: SECRET }),
}

for (const [name, start] of Object.entries(servers)) {
  describe(`filestack-js against ${name}`, () => {
    let server
    let filestack
    before(async () => {
      server = await start()
      filestack = require('filestack-js')
    })
    after(() => server.close())

    // capsign's credentials (URL-safe base64), and filestack-js's own getSecurity (standard
    // base64 with "/" in it, which filestack-js quotes in the path task).
    const credentials = {
      'capsign-issued': () => {
        const c = new capsign.Signer(SECRET).issue({ call: ['read', 'stat'], handle: HANDLE, expiresIn: 600 })
        return { policy: c.policy, signature: c.signature }
      },
      'filestack-js getSecurity': () => {
        // A path of "?" and ">" makes the standard alphabet's "/" appear at some alignment.
        for (let pad = 0; pad < 64; pad++) {
          const policy = { expiry: Math.floor(Date.now() / 1000) + 600, call: ['read', 'stat'], handle: HANDLE, path: `${'x'.repeat(pad)}??>>` }
          const security = filestack.getSecurity(policy, SECRET)
          if (security.policy.includes('/')) return security
        }
        throw new Error('no policy with "/" in its base64')
      },
    }

    for (const [kind, make] of Object.entries(credentials)) {
      test(`${kind} credentials: transform, download, retrieve, metadata`, async () => {
        const security = make()
        if (kind === 'filestack-js getSecurity') assert.match(security.policy, /\//, 'the quoted case is exercised')
        const client = filestack.init(APIKEY, { security })
        const local = localFilestack(client, server.url)
        try {
          const transformed = client.transform(HANDLE, { resize: { width: 100 } })
          assert.match(transformed, /security=policy:.*,signature:[0-9a-f]{64}\//)
          const fetched = await fetch(transformed)
          assert.equal(fetched.status, 200, await fetched.clone().text())
          assert.equal((await fetched.json()).served, HANDLE)
          assert.equal(await statusOf(client.download(HANDLE)), 200)
          const silent = console.info
          console.info = () => {} // retrieve() announces its deprecation
          try {
            assert.equal((await client.retrieve(HANDLE)).served, HANDLE)
            assert.equal((await client.retrieve(HANDLE, { metadata: true })).handle, HANDLE)
            // Another handle: the credentials are genuine, the request is not theirs.
            assert.equal(await statusOf(client.retrieve(OTHER)), 403)
          } finally {
            console.info = silent
          }
          assert.equal((await client.metadata(HANDLE)).handle, HANDLE)
          assert.equal(await statusOf(client.download(OTHER)), 403)
          assert.equal((await fetch(client.transform(OTHER, { resize: { width: 100 } }))).status, 403)
        } finally {
          local.restore()
        }
        assert.deepEqual(local.refused, [])
      })
    }

    test('tampered and missing credentials are refused on every form', async () => {
      const security = credentials['capsign-issued']()
      const forged = { policy: security.policy, signature: security.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }
      const client = filestack.init(APIKEY, { security: forged })
      const local = localFilestack(client, server.url)
      try {
        assert.equal((await fetch(client.transform(HANDLE, { resize: { width: 100 } }))).status, 401)
        assert.equal(await statusOf(client.download(HANDLE)), 401)
        assert.equal(await statusOf(client.metadata(HANDLE)), 401)
        assert.equal((await fetch(`${server.url}/cdn/${APIKEY}/${HANDLE}`)).status, 401)
      } finally {
        local.restore()
      }
    })
  })
}

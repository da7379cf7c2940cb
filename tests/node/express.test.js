'use strict'
// capsign/express and capsign/fastify over real HTTP on 127.0.0.1: Express 5, Express 4
// and Fastify 5, the same routes and cases.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const capsign = require('capsign')
const { capsign: middleware, CHALLENGE } = require('capsign/express')
const { SECRET } = require('./helpers.js')

/** Sends a request with the exact target given (no URL normalization). */
function send(port, { method = 'GET', path, headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => {
        let json = null
        try {
          json = JSON.parse(body)
        } catch {
          json = null
        }
        resolve({ status: res.statusCode, headers: res.headers, body, json })
      })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

function bearer(creds) {
  return { authorization: `Bearer ${creds.token}` }
}

function issue(claims) {
  return new capsign.Signer(SECRET).issue(claims)
}

function refused(r, status, code) {
  assert.equal(r.status, status, r.body)
  assert.equal(r.json.error, code)
  assert.equal(typeof r.json.message, 'string')
  assert.equal(r.headers['cache-control'], 'no-store')
  const expected = {
    missing_credentials: CHALLENGE,
    401: 'Bearer realm="capsign", error="invalid_token"',
    403: 'Bearer realm="capsign", error="insufficient_scope"',
    400: 'Bearer realm="capsign", error="invalid_request"',
  }
  assert.equal(r.headers['www-authenticate'], code === 'missing_credentials' ? expected.missing_credentials : expected[status])
  assert.ok(!r.body.includes(SECRET))
}

/** An error that only looks like capsign's: the application's own failure (500). */
function lookalike() {
  const e = new Error('not capsign')
  Object.assign(e, { name: 'CapsignError', code: 'denied', status: 200, challenge: 'x', body: '{"error":"none"}' })
  throw e
}

/** The suite's routes on Express (4 or 5): returns `{ port, close }` once listening. */
async function expressApp(express, log) {
  const app = express()
  const verifier = new capsign.Verifier(SECRET)
  app.get(
    '/files/:handle',
    middleware({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle }), log }),
    (req, res) => res.json({ handle: req.params.handle, expiry: req.capsign.expiry }),
  )
  // Wildcards: Express 5 names them ({*rest}); Express 4 does not.
  app.post(express === require('express4') ? '/api/v0/*' : '/api/v0/{*rest}',
    middleware({ verifier, rpc: '/api/v0', log }),
    (req, res) => res.json({ allowedBy: req.capsign.matched }),
  )
  app.use('/rest', middleware({ verifier, rest: true, log }), (req, res) =>
    res.json({ allowedBy: req.capsign.matched }),
  )
  app.get('/fixed', middleware({ verifier, command: 'swarm peers', log }), (req, res) => res.send('peers'))
  app.get('/fn', middleware({ verifier, command: (req) => `echo ${req.query.word}`, log }), (req, res) => res.send('ok'))
  app.get('/parsed', middleware({ verifier, command: (req) => new capsign.Command(req.query.c), log }), (req, res) => res.send('ok'))
  app.get('/lookalike', middleware({ verifier, call: 'read', fields: lookalike, log }), (req, res) => res.send('ok'))
  app.use((err, req, res, next) => res.status(500).json({ error: 'application', name: err.name }))
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) }
}

/** The same routes on Fastify 5 with capsign/fastify. */
async function fastifyApp(log) {
  const app = require('fastify')()
  app.register(require('capsign/fastify'), { verifier: new capsign.Verifier(SECRET) })
  app.register(async (scope) => {
    scope.get('/files/:handle', { preHandler: scope.capsign({ call: 'read', fields: (req) => ({ handle: req.params.handle }), log }) }, async (req) => ({
      handle: req.params.handle,
      expiry: req.capsign.expiry,
    }))
    scope.post('/api/v0/*', { preHandler: scope.capsign({ rpc: '/api/v0', log }) }, async (req) => ({ allowedBy: req.capsign.matched }))
    scope.route({
      method: ['GET', 'PUT'],
      url: '/rest/*',
      preHandler: scope.capsign({ rest: true, log }),
      handler: async (req) => ({ allowedBy: req.capsign.matched }),
    })
    scope.get('/fixed', { preHandler: scope.capsign({ command: 'swarm peers', log }) }, async (req, reply) => reply.type('text/plain').send('peers'))
    scope.get('/fn', { preHandler: scope.capsign({ command: (req) => `echo ${req.query.word}`, log }) }, async () => 'ok')
    scope.get('/parsed', { preHandler: scope.capsign({ command: (req) => new capsign.Command(req.query.c), log }) }, async () => 'ok')
    scope.get('/lookalike', { preHandler: scope.capsign({ call: 'read', fields: lookalike, log }) }, async () => 'ok')
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: app.server.address().port, close: () => app.close() }
}

for (const [flavor, start] of [
  ['Express 5', (log) => expressApp(require('express'), log)],
  ['Express 4', (log) => expressApp(require('express4'), log)],
  ['Fastify 5', (log) => fastifyApp(log)],
]) {
  describe(flavor, () => {
    const refusals = []
    let server
    let port
    before(async () => {
      server = await start((r) => refusals.push(r))
      port = server.port
    })
    after(() => server.close())

    test('header and query credentials', async () => {
      const creds = issue({ call: ['read'], handle: 'H1' })
      const r = await send(port, { path: '/files/H1', headers: bearer(creds) })
      assert.equal(r.status, 200)
      assert.equal(r.json.handle, 'H1')
      const q = await send(port, {
        path: `/files/H1?policy=${encodeURIComponent(creds.policy)}&signature=${creds.signature}`,
      })
      assert.equal(q.status, 200)
    })

    test('missing credentials', async () => {
      refused(await send(port, { path: '/files/H1' }), 401, 'missing_credentials')
      refused(await send(port, { path: '/files/H1', headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'missing_credentials')
    })

    test('cookies are ignored', async () => {
      const creds = issue({ call: ['read'], handle: 'H1' })
      const cookie = [
        `Authorization=Bearer ${creds.token}`,
        `token=${creds.token}`,
        `policy=${creds.policy}`,
        `signature=${creds.signature}`,
      ].join('; ')
      refused(await send(port, { path: '/files/H1', headers: { cookie } }), 401, 'missing_credentials')
    })

    test('malformed, tampered, expired', async () => {
      refused(await send(port, { path: '/files/H1', headers: { authorization: 'Bearer not-a-token' } }), 401, 'malformed')
      refused(await send(port, { path: '/files/H1?policy=eyJ9' }), 401, 'malformed')
      const creds = issue({ call: ['read'], handle: 'H1' })
      const both = `/files/H1?policy=${encodeURIComponent(creds.policy)}&signature=${creds.signature}`
      refused(await send(port, { path: both, headers: bearer(creds) }), 401, 'malformed')
      const sig = creds.signature.slice(0, -1) + (creds.signature.endsWith('0') ? '1' : '0')
      refused(await send(port, { path: `/files/H1?policy=${encodeURIComponent(creds.policy)}&signature=${sig}` }), 401, 'bad_signature')
      const now = Math.floor(Date.now() / 1000)
      const old = new capsign.Signer(SECRET).issue({ call: ['read'], handle: 'H1', expiry: now - 10, now: now - 100 })
      refused(await send(port, { path: '/files/H1', headers: bearer(old) }), 401, 'expired')
    })

    test('wrong scope', async () => {
      refused(await send(port, { path: '/files/H1', headers: bearer(issue({ call: ['read'], handle: 'H2' })) }), 403, 'denied')
      refused(await send(port, { path: '/files/H1', headers: bearer(issue({ call: ['pick'] })) }), 403, 'denied')
    })

    test('RPC commands', async () => {
      const creds = issue({ permissions: ['pin add [--recursive] *', 'pin ls'] })
      const r = await send(port, { method: 'POST', path: '/api/v0/pin/add?arg=QmX&recursive=true', headers: bearer(creds) })
      assert.equal(r.status, 200, r.body)
      assert.equal(r.json.allowedBy, 'pin add [--recursive] *')
      assert.equal((await send(port, { method: 'POST', path: '/api/v0/pin/ls', headers: bearer(creds) })).status, 200)
      refused(await send(port, { method: 'POST', path: '/api/v0/pin/rm?arg=QmX', headers: bearer(creds) }), 403, 'denied')
      refused(await send(port, { method: 'POST', path: '/api/v0/cat?arg=/ipfs/QmA/../QmB', headers: bearer(creds) }), 400, 'invalid_command')
    })

    test('REST commands; traversal and encoded paths refused', async () => {
      const creds = issue({ permissions: ['GET /rest/files', 'PUT /rest/files/uploads'] })
      assert.equal((await send(port, { path: '/rest/files/a.txt', headers: bearer(creds) })).status, 200)
      const spaced = await send(port, { path: '/rest/files/a%20b.txt', headers: bearer(creds) })
      assert.equal(spaced.json.allowedBy, 'GET /rest/files')
      assert.equal((await send(port, { method: 'PUT', path: '/rest/files/uploads/x', headers: bearer(creds) })).status, 200)
      refused(await send(port, { method: 'PUT', path: '/rest/files/x', headers: bearer(creds) }), 403, 'denied')
      for (const path of [
        '/rest/files/%2e%2e/secret',
        '/rest/files/%252e%252e/secret',
        '/rest/files/a%2fb',
        '/rest/files/..%2F..%2Fetc',
        '/rest/files//a',
        '/rest/files/x/..',
        '/rest/files/../../etc/passwd',
      ]) {
        refused(await send(port, { path, headers: bearer(creds) }), 400, 'invalid_command')
      }
      refused(await send(port, { path: '/rest/files/%2e%2e/x' }), 401, 'missing_credentials')
    })

    test('fixed and computed commands', async () => {
      assert.equal((await send(port, { path: '/fixed', headers: bearer(issue({ permissions: ['swarm peers'] })) })).body, 'peers')
      refused(await send(port, { path: '/fixed', headers: bearer(issue({ permissions: ['id'] })) }), 403, 'denied')
      const echo = issue({ permissions: ['echo hello'] })
      assert.equal((await send(port, { path: '/fn?word=hello', headers: bearer(echo) })).status, 200)
      refused(await send(port, { path: '/fn?word=bye', headers: bearer(echo) }), 403, 'denied')
    })

    test('a CapsignError from the application\'s function is a refusal; a look-alike is its failure', async () => {
      const echo = issue({ permissions: ['echo hello'], call: ['read'] })
      assert.equal((await send(port, { path: '/parsed?c=echo%20hello', headers: bearer(echo) })).status, 200)
      // capsign's own error (the Command the function builds is not one): 400.
      refused(await send(port, { path: '/parsed?c=%20', headers: bearer(echo) }), 400, 'invalid_command')
      // An error named CapsignError that capsign did not throw decides nothing: 500.
      const r = await send(port, { path: '/lookalike', headers: bearer(echo) })
      assert.equal(r.status, 500, r.body)
      assert.notEqual(r.json?.error, 'none')
    })

    test('refusals are logged without secrets or tokens', () => {
      assert.ok(refusals.length > 5)
      assert.ok(refusals.some((r) => r.status === 401 && r.code === 'missing_credentials'))
      assert.ok(refusals.some((r) => r.status === 403 && r.code === 'denied'))
      const text = JSON.stringify(refusals)
      assert.ok(!text.includes(SECRET))
      assert.ok(!text.includes('policy='))
      assert.ok(!text.includes('signature='))
    })
  })
}

test('the factory checks its options: a middleware names what its route needs', () => {
  assert.throws(() => middleware({}), TypeError)
  const verifier = new capsign.Verifier(SECRET)
  const config = (field) => (e) => e.name === 'CapsignError' && e.code === 'invalid_argument' && e.field === field
  assert.throws(() => middleware({ verifier, rest: true, rpc: '/api' }), config('command'))
  assert.throws(() => middleware({ verifier, command: 'x', rest: true }), config('command'))
  assert.throws(() => middleware({ verifier }), config('route'))
  assert.throws(() => middleware({ verifier, fields: () => ({ handle: 'x' }) }), config('route'))
  assert.throws(() => middleware({ verifier, authenticateOnly: true, call: 'read' }), config('authenticate_only'))
  assert.throws(() => middleware({ verifier, call: 'delete' }), config('call'))
  assert.throws(() => middleware({ verifier, rest: true, ignore: ['stream'] }), config('ignore'))
  assert.equal(typeof middleware({ verifier, authenticateOnly: true }), 'function')
})

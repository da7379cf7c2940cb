'use strict'
// The Node API beyond the vectors: every error code, every limit, hygiene, threads of use.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const capsign = require('capsign')
const { SECRET, NOW } = require('./helpers.js')

function codeOf(fn) {
  try {
    fn()
  } catch (e) {
    assert.equal(e.name, 'CapsignError', String(e))
    assert.ok(e instanceof capsign.CapsignError && e instanceof Error, String(e))
    return e
  }
  assert.fail('expected a CapsignError')
}

test('round trip with every field', () => {
  const signer = new capsign.Signer(SECRET)
  const creds = signer.issue({
    expiresIn: 600,
    call: ['pick', 'store'],
    handle: 'KW9EJhYtS6y48Whm2S6D',
    url: 'https://cdn\\.example\\.com/.*',
    path: '/uploads/user-42/.*',
    container: 'bucket-1',
    maxSize: 10_485_760,
    minSize: 1,
    permissions: ['pin add [-r] *', 'cat /ipfs/QmA'],
    nbf: NOW - 5,
    jti: 'req-1',
    uses: 3,
    now: NOW,
  })
  assert.equal(creds.expiry, NOW + 600)
  assert.equal(creds.token, `${creds.policy}.${creds.signature}`)
  assert.deepStrictEqual(JSON.parse(JSON.stringify(creds)), {
    policy: creds.policy,
    signature: creds.signature,
    token: creds.token,
    expiry: NOW + 600,
  })
  const grant = new capsign.Verifier(SECRET).verify(creds.policy, creds.signature, { now: NOW })
  assert.deepStrictEqual({ ...grant.policy }, {
    call: ['pick', 'store'],
    container: 'bucket-1',
    expiry: NOW + 600,
    handle: 'KW9EJhYtS6y48Whm2S6D',
    iat: NOW,
    jti: 'req-1',
    maxSize: 10_485_760,
    minSize: 1,
    nbf: NOW - 5,
    path: '/uploads/user-42/.*',
    permissions: ['pin add [-r] *', 'cat /ipfs/QmA'],
    url: 'https://cdn\\.example\\.com/.*',
    uses: 3,
  })
  const handle = 'KW9EJhYtS6y48Whm2S6D'
  assert.equal(grant.authorize({ handle, command: 'pin add -r QmX' }), 'pin add [-r] *')
  assert.equal(grant.authorize({ handle, command: new capsign.Command('cat /ipfs/QmA/x') }), 'cat /ipfs/QmA')
  assert.equal(
    grant.authorize({ call: 'store', handle, path: '/uploads/user-42/a.png', container: 'bucket-1', url: 'https://cdn.example.com/a', size: 100 }),
    null,
  )
  const denied = codeOf(() => grant.authorize({ call: 'store', handle, size: 100 }))
  assert.deepStrictEqual([denied.code, denied.field, denied.status], ['denied', 'path', 403])
  assert.equal(denied.challenge, 'Bearer realm="capsign", error="insufficient_scope"')
})

test('every error code is reachable', async () => {
  const signer = new capsign.Signer(SECRET)
  const verifier = new capsign.Verifier(SECRET)
  const token = signer.issue({ expiresIn: 60, call: ['read'], nbf: NOW + 10, now: NOW }).token
  const [policy, signature] = token.split('.')
  const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0')
  const revoked = new capsign.MemoryStore()
  revoked.revoke({ before: NOW + 1 })
  const once = signer.issue({ jti: 'once', uses: 1, now: NOW }).token
  const spent = new capsign.MemoryStore()
  spent.check(verifier.verifyToken(once, { now: NOW }), { now: NOW })
  const cases = {
    malformed: () => verifier.verifyToken('not a token'),
    bad_signature: () => verifier.verify(policy, flipped, { now: NOW + 20 }),
    unknown_key: () => new capsign.Verifier(null, { keys: { k: SECRET } }).verifyToken(token),
    expired: () => verifier.verifyToken(token, { now: NOW + 60 }),
    not_yet_valid: () => verifier.verifyToken(token, { now: NOW }),
    denied: () => verifier.verifyToken(token, { call: 'remove', now: NOW + 20 }),
    invalid_policy: () => signer.issue({ call: ['upload'] }),
    invalid_permission: () => new capsign.Permission('pin ** x'),
    invalid_command: () => new capsign.Command('cat /a/../b'),
    weak_secret: () => new capsign.Signer('short'),
    invalid_argument: () => new capsign.Verifier(),
    missing_credentials: () =>
      verifier.checkHttp(new capsign.Route({ call: 'read' }), { method: 'GET', target: '/x' }),
    revoked: () => revoked.check(verifier.verifyToken(once, { now: NOW }), { now: NOW }),
    used_up: () => spent.check(verifier.verifyToken(once, { now: NOW }), { now: NOW }),
    unavailable: () => new capsign.RedisStore({}).check(verifier.verifyToken(once, { now: NOW })),
  }
  assert.deepStrictEqual(Object.keys(cases).sort(), [...capsign.errorCodes()].sort())
  for (const [code, action] of Object.entries(cases)) {
    let e
    try {
      await action()
    } catch (thrown) {
      e = thrown
    }
    assert.ok(e instanceof Error, code)
    assert.equal(e.code, code)
    assert.ok(e.message.length > 0)
    assert.ok([400, 401, 403, 500, 503].includes(e.status), `${code}: ${e.status}`)
    assert.ok(e.challenge.startsWith('Bearer realm="capsign"'))
    assert.ok(typeof e.stack === 'string')
  }
})

test('limits are errors', () => {
  const l = capsign.limits()
  const signer = new capsign.Signer(SECRET)
  const many = Array(l.maxPermissions).fill('p')
  assert.ok(signer.issue({ permissions: many }).token)
  assert.equal(codeOf(() => signer.issue({ permissions: [...many, 'p'] })).field, 'permissions')
  assert.ok(new capsign.Permission(Array(l.maxPermissionTokens).fill('a').join(' ')))
  assert.equal(codeOf(() => new capsign.Permission(Array(l.maxPermissionTokens + 1).fill('a').join(' '))).code, 'invalid_permission')
  assert.ok(new capsign.Permission('a'.repeat(l.maxPermissionLen)))
  assert.equal(codeOf(() => new capsign.Permission('a'.repeat(l.maxPermissionLen + 1))).position, l.maxPermissionLen)
  assert.equal(codeOf(() => new capsign.Verifier(SECRET).verify('A'.repeat(l.maxPolicyLen + 4), '0'.repeat(64))).code, 'malformed')
  const verifier = new capsign.Verifier(SECRET)
  const long = codeOf(() => verifier.verifyToken(`${'A'.repeat(l.maxTokenLen - 64)}.${'0'.repeat(64)}`))
  assert.equal(long.code, 'malformed')
  assert.match(long.message, /token is longer/)
  // Under the limit in UTF-16 units, over it in UTF-8 bytes: the core still refuses it.
  assert.match(codeOf(() => verifier.verifyToken(`${'é'.repeat(5000)}.${'0'.repeat(64)}`)).message, /token is longer/)
  assert.equal(codeOf(() => signer.issue({ handle: 'h'.repeat(l.maxPolicyLen) })).field, 'policy')
  assert.equal(codeOf(() => new capsign.Command(Array(l.maxCommandTokens + 1).fill('a').join(' '))).code, 'invalid_command')
  assert.equal(codeOf(() => new capsign.Command('cat /' + 'a'.repeat(l.maxCommandLen))).code, 'invalid_command')
  assert.equal(codeOf(() => new capsign.Signer('x'.repeat(l.minSecretLen - 1))).code, 'weak_secret')
  assert.ok(new capsign.Signer('x'.repeat(l.minSecretLen - 1), { minSecretLen: 1 }))
  assert.equal(codeOf(() => new capsign.Signer(SECRET, { kid: 'k'.repeat(l.maxKidLen + 1) })).code, 'invalid_argument')
  assert.equal(codeOf(() => signer.issue({ jti: 'j'.repeat(l.maxJtiLen + 1) })).field, 'jti')
  assert.equal(codeOf(() => new capsign.Verifier(SECRET, { leeway: l.maxLeeway + 1 })).field, 'leeway')
  assert.equal(codeOf(() => new capsign.Verifier(SECRET, { leeway: -1 })).field, 'leeway')
  assert.equal(codeOf(() => signer.issue({ expiry: l.maxInteger + 1 })).code, 'invalid_policy')
})

test('JavaScript numbers are checked, never truncated', () => {
  const signer = new capsign.Signer(SECRET)
  for (const bad of [1.5, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const e = codeOf(() => signer.issue({ expiresIn: bad }))
    assert.deepStrictEqual([e.code, e.field], ['invalid_argument', 'expiresIn'])
  }
  assert.equal(codeOf(() => new capsign.Verifier(SECRET).verifyToken('a.b', { size: 0.5 })).field, 'size')
  assert.equal(codeOf(() => new capsign.Verifier(SECRET, { leeway: 0.5 })).field, 'leeway')
})

test('wrong JavaScript types are errors before any capsign code runs', () => {
  for (const action of [
    () => new capsign.Signer(42),
    () => new capsign.Verifier(SECRET).verifyToken(42),
    () => new capsign.Verifier(SECRET).verifyToken('a.b', { call: 5 }),
    () => capsign.covers(1, 'x'),
  ]) {
    assert.throws(action, (e) => e instanceof Error && e.name !== 'CapsignError')
  }
})

test('claims are read as JSON by the core: wrong types, null, NaN and unknown names are refused', () => {
  const signer = new capsign.Signer(SECRET)
  for (const [claims, field] of [
    [{ call: 'pick' }, 'call'],
    [{ expiresIn: NaN }, 'expiresIn'],
    [{ expiresIn: Infinity }, 'expiresIn'],
    [{ expiresIn: null }, 'expiresIn'],
    [{ expiresIn: 1.5 }, 'expiresIn'],
    [{ maxSize: -1 }, 'maxSize'],
    [{ handle: 5 }, 'handle'],
    [{ permissions: [1] }, 'permissions'],
    [{ expiresin: 60 }, 'claims'],
    [{ handle: 'x\uD800' }, 'handle'],
  ]) {
    assert.throws(() => signer.issue(claims), (e) => e.code === 'invalid_argument' && e.field === field, JSON.stringify(claims))
  }
  assert.equal(signer.issue({ handle: 'h', now: NOW }).expiry, NOW + 900)
})

test('secrets never show', () => {
  const secret = 'an-unforgettable-secret-value-42'
  const signer = new capsign.Signer(secret, { kid: 'k1' })
  const verifier = new capsign.Verifier(secret, { keys: { k1: secret }, leeway: 5 })
  const creds = signer.issue({ now: NOW })
  const grant = verifier.verifyToken(creds.token, { now: NOW })
  const shown = [signer, verifier, creds, grant]
    .flatMap((o) => [String(o), util.inspect(o, { depth: 5, showHidden: true }), JSON.stringify(o) ?? ''])
    .join(' ')
  assert.ok(!shown.includes(secret))
  assert.ok(!shown.includes('unforgettable'))
  assert.equal(String(signer), 'Signer(kid="k1")')
  assert.equal(String(verifier), 'Verifier(defaultSecret=true, kids=["k1"], leeway=5)')
  const weak = codeOf(() => new capsign.Signer('tiny-secret'))
  assert.ok(!weak.message.includes('tiny'))
})

test('Buffer and string secrets are the same key', () => {
  const a = new capsign.Signer(SECRET).issue({ now: NOW })
  const b = new capsign.Signer(Buffer.from(SECRET)).issue({ now: NOW })
  assert.equal(a.token, b.token)
  const binary = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
  const creds = new capsign.Signer(binary).issue({ now: NOW })
  assert.equal(new capsign.Verifier(binary).verifyToken(creds.token, { now: NOW }).expiry, creds.expiry)
})

test('kid rotation', () => {
  const old = 'old-secret-0123456789'
  const fresh = 'new-secret-0123456789'
  const v = new capsign.Verifier(null, { keys: { '2026-10': old, '2026-11': fresh } })
  assert.equal(v.verifyToken(new capsign.Signer(old, { kid: '2026-10' }).issue({ now: NOW }).token, { now: NOW }).kid, '2026-10')
  assert.equal(v.verifyToken(new capsign.Signer(fresh, { kid: '2026-11' }).issue({ now: NOW }).token, { now: NOW }).kid, '2026-11')
  const mislabelled = new capsign.Signer(old, { kid: '2026-11' }).issue({ now: NOW }).token
  assert.equal(codeOf(() => v.verifyToken(mislabelled, { now: NOW })).code, 'bad_signature')
})

test('permissions, commands, covers, mappings', () => {
  const p = new capsign.Permission('pin  add [-r] *')
  assert.equal(String(p), 'pin add [-r] *')
  assert.equal(p.source, 'pin  add [-r] *')
  assert.ok(p.equals(new capsign.Permission('pin add [-r] *')))
  assert.ok(p.matches('pin add -r QmX'))
  assert.ok(!p.matches(new capsign.Command('pin rm QmX')))
  assert.equal(codeOf(() => p.matches('pin add ../x/..')).code, 'invalid_command')
  const c = capsign.Command.build(['pin', 'add', 'Qm X'], { '--recursive': null, '--timeout': '5s' })
  assert.equal(String(c), 'pin add "Qm X" --recursive --timeout=5s')
  assert.deepStrictEqual(c.args, ['pin', 'add', 'Qm X'])
  assert.deepStrictEqual(c.flags.map((f) => [f.name, f.value ?? null]), [['--recursive', null], ['--timeout', '5s']])
  assert.ok(c.equals(new capsign.Command('pin add "Qm X" --timeout=5s --recursive')))
  assert.equal(codeOf(() => capsign.Command.build(['cat', '/a/../b'])).code, 'invalid_command')
  assert.ok(capsign.covers('pin add [-r] *', 'pin add QmX'))
  assert.ok(capsign.covers(['x', 'x -r'], ['x [-r]']))
  assert.ok(!capsign.covers('pin add QmX', ['pin add [-r] *']))
  assert.equal(String(capsign.restCommand('GET', '/files/a%20b?x=1')), 'GET "/files/a b"')
  assert.equal(String(capsign.rpcCommand('/api/v0', '/api/v0/pin/add?arg=Q&recursive=true')), 'pin add Q --recursive')
  const grant = new capsign.Verifier(SECRET).verifyToken(new capsign.Signer(SECRET).issue({ permissions: ['pin add [-r] *'] }).token)
  assert.equal(grant.allows('pin add QmY'), true)
  assert.equal(grant.allows(new capsign.Command('pin rm QmY')), false)
  assert.equal(codeOf(() => grant.allows('pin add /x/..')).code, 'invalid_command')
})

test('helpers', () => {
  const a = capsign.generateSecret()
  assert.equal(a.length, 43)
  assert.notEqual(a, capsign.generateSecret())
  assert.equal(capsign.challenge(), 'Bearer realm="capsign"')
  const creds = new capsign.Signer(SECRET).issue({ call: ['read'], now: NOW })
  assert.equal(capsign.decodeUnverified(creds.token), `{"call":["read"],"expiry":${NOW + 900},"iat":${NOW}}`)
  assert.equal(codeOf(() => capsign.decodeUnverified('!!')).code, 'malformed')
})

test('HTTP mappings as request fields', () => {
  const token = new capsign.Signer(SECRET).issue({ permissions: ['GET /files', 'pin add [--recursive] *'], now: NOW }).token
  const v = new capsign.Verifier(SECRET)
  assert.equal(v.verifyToken(token, { rest: { method: 'GET', target: '/files/a%20b' }, now: NOW }).matched, 'GET /files')
  assert.equal(
    v.verifyToken(token, { rpc: { prefix: '/api/v0', target: '/api/v0/pin/add?arg=Q&recursive=true' }, now: NOW }).matched,
    'pin add [--recursive] *',
  )
  assert.equal(codeOf(() => v.verifyToken(token, { rest: { method: 'GET', target: '/files/%2e%2e/x' }, now: NOW })).code, 'invalid_command')
  const forged = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0')
  assert.equal(codeOf(() => v.verifyToken(forged, { rest: { method: 'GET', target: '/files/%2e%2e/x' }, now: NOW })).code, 'bad_signature')
  const both = codeOf(() => v.verifyToken(token, { command: 'x', rest: { method: 'GET', target: '/files/a' }, now: NOW }))
  assert.deepStrictEqual([both.code, both.field], ['invalid_argument', 'command'])
  const mapped = codeOf(() => v.verifyToken(token, { rest: { method: 'GET', target: '/files/a' }, rpc: { prefix: '/api', target: '/api/x' }, now: NOW }))
  assert.equal(mapped.code, 'invalid_argument')
})

test('authenticateHttp verifies the credentials only', () => {
  const verifier = new capsign.Verifier(SECRET)
  const route = new capsign.Route({ call: 'store', fields: true })
  const token = new capsign.Signer(SECRET).issue({ call: ['read'], now: NOW, expiresIn: 60 }).token
  const authorization = `Bearer ${token}`
  // Genuine and current: no error, although the call is not allowed (checkHttp decides).
  assert.equal(verifier.authenticateHttp(route, { method: 'POST', target: '/store', authorization, now: NOW + 1 }), undefined)
  assert.throws(() => verifier.checkHttp(route, { method: 'POST', target: '/store', authorization, fields: { size: 1 }, now: NOW + 1 }), { code: 'denied' })
  assert.throws(() => verifier.authenticateHttp(route, { method: 'POST', target: '/store', now: NOW }), { code: 'missing_credentials' })
  assert.throws(() => verifier.authenticateHttp(route, { method: 'POST', target: '/store', authorization, now: NOW + 600 }), { code: 'expired' })
  assert.throws(() => verifier.authenticateHttp(route, { method: 'POST', target: '/store', authorization: [authorization, authorization], now: NOW }), { code: 'malformed' })
  assert.throws(() => verifier.authenticateHttp({}, { method: 'POST', target: '/store' }), TypeError)
})

test('a command of the wrong type from a request is a bad request', () => {
  const verifier = new capsign.Verifier(SECRET)
  const route = new capsign.Route({ perRequest: true })
  const token = new capsign.Signer(SECRET).issue({ permissions: ['pin ls'], now: NOW, expiresIn: 60 }).token
  const authorization = `Bearer ${token}`
  for (const command of [5, true, ['pin ls'], { cmd: 'pin ls' }, 'pin ls \uD800', 5n]) {
    assert.throws(() => verifier.checkHttp(route, { method: 'POST', target: '/x', authorization, command, now: NOW }), { code: 'invalid_command' }, String(command))
  }
  assert.equal(verifier.checkHttp(route, { method: 'POST', target: '/x', authorization, command: 'pin ls', now: NOW }).matched, 'pin ls')
  assert.throws(() => verifier.checkHttp(route, { method: 'POST', target: '/x', authorization, command: null, now: NOW }), { code: 'invalid_argument' })
})

'use strict'
// Every vector in tests/vectors/, through the Node API.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const capsign = require('capsign')
const { loadVectors, camel, vectorVerifier, verifyVector } = require('./helpers.js')

function check(vector, run) {
  const expected = vector.expected
  if ('ok' in expected) {
    assert.deepStrictEqual(run(), expected.ok)
    return
  }
  assert.throws(run, (e) => {
    assert.ok(e instanceof capsign.CapsignError && e instanceof Error)
    assert.equal(e.name, 'CapsignError')
    assert.equal(e.code, expected.error, e.message)
    if ('field' in expected) assert.equal(e.field, expected.field)
    if ('position' in expected) assert.equal(e.position, expected.position)
    return true
  })
}

function summary(grant) {
  if (grant === null) return null
  return { policy: { ...grant.policy }, expiry: grant.expiry, kid: grant.kid, matched: grant.matched }
}

function runVerify(v) {
  check(v, () => summary(verifyVector(vectorVerifier(v), v)))
}

for (const name of ['verify.json', 'attacks.json', 'http.json']) {
  describe(name, () => {
    for (const v of loadVectors(name)) test(v.id, () => runVerify(v))
  })
}

describe('issue.json', () => {
  for (const v of loadVectors('issue.json')) {
    test(v.id, () => {
      const i = v.input
      check(v, () => {
        const signingKey = i.signing_key === undefined ? undefined : new capsign.SigningKey(i.signing_key)
        const signer = new capsign.Signer(i.secret, { signingKey, kid: i.kid ?? undefined, minSecretLen: i.min_secret_len })
        const creds = signer.issue({ ...camel(i.claims), now: v.now })
        return {
          policy: creds.policy,
          signature: creds.signature,
          token: creds.token,
          expiry: creds.expiry,
          json: capsign.decodeUnverified(creds.policy),
        }
      })
    })
  }
})

function firstMatch(permissions, command) {
  const parsed = new capsign.Command(command)
  const index = permissions.findIndex((p) => new capsign.Permission(p).matches(parsed))
  return index === -1 ? null : index
}

describe('capability.json', () => {
  for (const v of loadVectors('capability.json')) {
    test(v.id, () => {
      const i = v.input
      check(v, () => {
        switch (i.kind) {
          case 'permission':
            return { canonical: String(new capsign.Permission(i.permission)) }
          case 'command':
            return { canonical: String(new capsign.Command(i.command)) }
          case 'match':
            return { matched: firstMatch(i.permissions, i.command) }
          case 'covers':
            return { covers: capsign.covers(i.a, i.b) }
          default:
            return i.mapping === 'rest'
              ? { command: String(capsign.restCommand(i.method, i.target)) }
              : { command: String(capsign.rpcCommand(i.prefix, i.target)) }
        }
      })
    })
  }
})

test('filestack.json: every credential verifies in Node', () => {
  // Node has no filestack.security helper; the credentials it produces must verify here.
  for (const v of loadVectors('filestack.json')) {
    if (!('ok' in v.expected) || !('secret' in v.input) || v.input.secret === '') continue
    const verifier = new capsign.Verifier(v.input.secret, { minSecretLen: 1 })
    const expiry = v.input.policy.expiry
    const grant = verifier.verify(v.expected.ok.policy, v.expected.ok.signature, { now: expiry - 1 })
    assert.deepStrictEqual({ ...grant.policy }, JSON.parse(capsign.decodeUnverified(v.expected.ok.policy)))
  }
})

/** A Redis client that answers every script run with `reply` (a thrown error for `null`), and records the runs. */
function scriptedClient(reply) {
  const runs = []
  return {
    runs,
    async call(...args) {
      runs.push(args)
      if (reply === null) throw new Error('connection refused')
      return reply
    },
  }
}

function codeOf(run) {
  try {
    run()
  } catch (e) {
    if (e.name === 'CapsignError') return e.code
    throw e
  }
  return 'ok'
}

async function asyncCodeOf(run) {
  try {
    await run()
  } catch (e) {
    if (e.name === 'CapsignError') return e.code
    throw e
  }
  return 'ok'
}

describe('store.json', () => {
  for (const v of loadVectors('store.json')) {
    test(v.id, async () => {
      const i = v.input
      const verifier = vectorVerifier(v)
      const memory = new capsign.MemoryStore({ leeway: i.leeway })
      const options = { prefix: i.prefix, leeway: i.leeway }
      const grant = (step, key) => verifier.verifyToken(step[key], { now: step.now, command: step.command })
      const layoutOf = (run) => {
        const client = scriptedClient('ok')
        return run(new capsign.RedisStore(client, options)).then(() => {
          const [, , count, ...rest] = client.runs[0]
          return { keys: rest.slice(0, Number(count)), args: rest.slice(Number(count)) }
        })
      }
      const out = []
      for (const step of i.steps) {
        if ('check' in step) out.push(codeOf(() => memory.check(grant(step, 'check'), { now: step.now })))
        else if ('revoke' in step) out.push(codeOf(() => memory.revoke({ ...step.revoke, now: step.now })))
        else if ('entries' in step) out.push(memory.size)
        else if ('sweep' in step) out.push(codeOf(() => memory.sweep({ now: step.sweep })))
        else if ('reply' in step) {
          const g = grant(step, 'for')
          out.push(await asyncCodeOf(() => new capsign.RedisStore(scriptedClient(step.reply), options).check(g)))
        } else if ('call' in step) {
          const g = grant(step, 'call')
          out.push(await layoutOf((store) => store.check(g)))
        } else out.push(await layoutOf((store) => store.revoke({ ...step.revoke_call, now: step.now })))
      }
      assert.deepStrictEqual(out, v.expected.ok)
    })
  }
})

test('every error code has a vector', () => {
  const seen = new Set()
  for (const name of ['verify.json', 'attacks.json', 'issue.json', 'filestack.json', 'capability.json', 'http.json']) {
    for (const v of loadVectors(name)) if ('error' in v.expected) seen.add(v.expected.error)
  }
  for (const v of loadVectors('store.json')) {
    for (const s of v.expected.ok ?? []) if (typeof s === 'string' && capsign.errorCodes().includes(s)) seen.add(s)
  }
  assert.deepStrictEqual([...seen].sort(), [...capsign.errorCodes()].sort())
})

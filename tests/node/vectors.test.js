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
    assert.ok(e instanceof Error)
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

test('every error code has a vector', () => {
  const seen = new Set()
  for (const name of ['verify.json', 'attacks.json', 'issue.json', 'filestack.json', 'capability.json', 'http.json']) {
    for (const v of loadVectors(name)) if ('error' in v.expected) seen.add(v.expected.error)
  }
  assert.deepStrictEqual([...seen].sort(), [...capsign.errorCodes()].sort())
})

'use strict'
// Arguments of the wrong type: every one is a TypeError (code ERR_INVALID_ARG_TYPE, as
// Node's own) naming the argument, as Python's argument conversion raises TypeError —
// never N-API's message-less conversion error, never a silent default.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const capsign = require('capsign')
const { SECRET, NOW } = require('./helpers.js')

const signer = new capsign.Signer(SECRET)
const verifier = new capsign.Verifier(SECRET)
const token = signer.issue({ expiresIn: 600, call: ['read'], now: NOW }).token
const grant = verifier.verifyToken(token, { call: 'read', now: NOW })
const route = new capsign.Route({ call: 'read' })

/** Asserts `fn` throws a TypeError whose message names `name`. */
function typeError(fn, name) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof TypeError, `${name}: ${e?.constructor?.name}: ${e?.message}`)
    assert.ok(e.message.includes(`\`${name}\``), `${name}: ${e.message}`)
    return true
  })
}

// Each case: the argument's name, and a call that passes `value` in its place.
const CASES = [
  ['token', (v) => verifier.verifyToken(v, { now: NOW })],
  ['now', (v) => verifier.verifyToken(token, { now: v })],
  ['call', (v) => verifier.verifyToken(token, { call: v, now: NOW })],
  ['handle', (v) => verifier.verifyToken(token, { call: 'read', handle: v, now: NOW })],
  ['url', (v) => verifier.verifyToken(token, { call: 'read', url: v, now: NOW })],
  ['path', (v) => verifier.verifyToken(token, { call: 'read', path: v, now: NOW })],
  ['container', (v) => verifier.verifyToken(token, { call: 'read', container: v, now: NOW })],
  ['size', (v) => verifier.verifyToken(token, { call: 'read', size: v, now: NOW })],
  ['command', (v) => verifier.verifyToken(token, { command: v, now: NOW })],
  ['secret', (v) => new capsign.Verifier(v)],
  ['secret', (v) => new capsign.Signer(v)],
  ['secret', (v) => new capsign.Verifier(null, { keys: { k1: v } })],
  ['kid', (v) => new capsign.Signer(SECRET, { kid: v })],
  ['leeway', (v) => new capsign.Verifier(SECRET, { leeway: v })],
  ['minSecretLen', (v) => new capsign.Verifier(SECRET, { minSecretLen: v })],
  ['keySet', (v) => new capsign.Verifier(null, { keySet: v })],
  ['permission', (v) => new capsign.Permission(v)],
  ['command', (v) => new capsign.Command(v)],
  ['command', (v) => new capsign.Permission('cat *').matches(v)],
  ['method', (v) => capsign.restCommand(v, '/files/a')],
  ['target', (v) => capsign.restCommand('GET', v)],
  ['policy', (v) => verifier.verifyHttp(undefined, v, [])],
  ['authorization', (v) => verifier.verifyHttp(v, [], [])],
  ['authorization', (v) => verifier.checkHttp(route, { method: 'GET', target: '/x', authorization: v, now: NOW })],
  ['authorization', (v) => verifier.checkHttp(route, { method: 'GET', target: '/x', authorization: ['Bearer x', v], now: NOW })],
  ['method', (v) => verifier.checkHttp(route, { method: v, target: '/x', now: NOW })],
  ['command', (v) => grant.allows(v)],
  ['call', (v) => new capsign.Route({ call: v })],
  ['rest', (v) => new capsign.Route({ rest: v })],
  ['ignore', (v) => new capsign.Route({ call: 'read', ignore: v })],
  ['authenticateOnly', (v) => new capsign.Route({ authenticateOnly: v })],
  ['signingKey', (v) => new capsign.SigningKey(v)],
  ['leeway', (v) => new capsign.MemoryStore({ leeway: v })],
  ['now', (v) => new capsign.MemoryStore().sweep({ now: v })],
]

for (const [name, call] of CASES) {
  test(`a wrong-typed \`${name}\` is a TypeError naming it (${call.toString().slice(6, 60)})`, () => {
    for (const value of [{}, Symbol('x'), 5n, () => 'x']) typeError(() => call(value), name)
    // Where a string belongs, a number is wrong too (and the reverse).
    if (['now', 'size', 'leeway', 'minSecretLen'].includes(name)) typeError(() => call('5'), name)
    else if (!['ignore', 'policy', 'rest', 'authenticateOnly', 'secret', 'signingKey'].includes(name)) typeError(() => call(5), name)
  })
}

test('a message says what was given, and carries Node\'s code', () => {
  const cases = [
    [5, 'a number'],
    [null, 'null'],
    [['a.b'], 'an array'],
    [{}, 'an object'],
    [true, 'a boolean'],
  ]
  for (const [value, said] of cases) {
    assert.throws(
      () => verifier.verifyToken(value),
      (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE' && e.message === `\`token\` must be a string, not ${said}`,
    )
  }
})

test('a query value parsed into an array is a TypeError, not a crash or a verification', () => {
  // Express's query parser makes `?token=a&token=b` an array: an application that passes
  // it on gets a TypeError (its 500), never a grant.
  typeError(() => verifier.verifyToken([token, token]), 'token')
  typeError(() => verifier.verifyToken({ toString: () => token }), 'token')
})

test('an omitted command is a TypeError where one is needed', () => {
  typeError(() => grant.allows(), 'command')
  typeError(() => grant.allows(null), 'command')
})

test('errors thrown in a worker thread are that thread\'s CapsignError', async () => {
  const { Worker } = require('node:worker_threads')
  const code = `
    const { parentPort } = require('node:worker_threads')
    const capsign = require('capsign')
    try { new capsign.Verifier('${SECRET}').verifyToken('a.b') } catch (e) {
      parentPort.postMessage([e instanceof capsign.CapsignError, e.code, e.name])
    }`
  const worker = new Worker(code, { eval: true })
  const [message] = await require('node:events').once(worker, 'message')
  assert.deepEqual(message, [true, 'malformed', 'CapsignError'])
  await worker.terminate()
})

test('keys that are not an object of keys by kid are a TypeError', () => {
  typeError(() => new capsign.Verifier(SECRET, { keys: 'abcdefghijklmnopqrstuvwxyz0123456789' }), 'keys')
  typeError(() => new capsign.Verifier(SECRET, { keys: [SECRET] }), 'keys')
  typeError(() => new capsign.Verifier(SECRET, { publicKeys: true }), 'publicKeys')
  assert.throws(() => capsign.keySet(null), TypeError)
  assert.throws(() => new capsign.Signer(null, { signingKey: { _native: {} } }), TypeError)
})

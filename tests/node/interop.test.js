'use strict'
// Credentials issued by the Python package verify in Node, and the reverse, live.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const capsign = require('capsign')
const { SECRET, NOW } = require('./helpers.js')

const python = process.env.CAPSIGN_PYTHON ?? path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python')

function runPython(code, input) {
  const r = spawnSync(python, ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, CAPSIGN_TEST_SECRET: SECRET },
    timeout: 60_000,
  })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

const available =
  fs.existsSync(python) && spawnSync(python, ['-c', 'import capsign'], { stdio: 'ignore' }).status === 0
const skip = available ? false : `the Python package is not built (${python}); run make python`

const CLAIMS = {
  expiresIn: 600,
  call: ['pick', 'read'],
  path: '/uploads/user-42/.*',
  maxSize: 1000,
  permissions: ['pin add [--recursive] *', 'cat /ipfs/QmA'],
  jti: 'interop-1',
  now: NOW,
}

test('Python issues, Node verifies', { skip }, () => {
  const out = runPython(
    `import capsign, json, os, sys
claims = json.load(sys.stdin)
creds = capsign.Signer(os.environ["CAPSIGN_TEST_SECRET"]).issue(**claims)
print(json.dumps({"token": creds.token}))`,
    { expires_in: 600, call: ['pick', 'read'], path: '/uploads/user-42/.*', max_size: 1000, permissions: CLAIMS.permissions, jti: 'interop-1', now: NOW },
  )
  const verifier = new capsign.Verifier(SECRET)
  const grant = verifier.verifyToken(out.token, { command: 'pin add QmX --recursive', now: NOW + 1 })
  assert.equal(grant.matched, 'pin add [--recursive] *')
  assert.equal(grant.policy.jti, 'interop-1')
  // The same claims give the same bytes in Node.
  assert.equal(new capsign.Signer(SECRET).issue(CLAIMS).token, out.token)
})

test('Node issues, Python verifies', { skip }, () => {
  const creds = new capsign.Signer(SECRET).issue(CLAIMS)
  const out = runPython(
    `import capsign, json, os, sys
data = json.load(sys.stdin)
v = capsign.Verifier(os.environ["CAPSIGN_TEST_SECRET"])
g = v.verify(data["policy"], data["signature"], call="pick", path="/uploads/user-42/a.png", size=10, now=data["now"])
try:
    v.verify_token(data["token"], command="pin rm QmX", now=data["now"])
    refused = None
except capsign.CapsignError as e:
    refused = e.code
print(json.dumps({"policy": g.policy, "refused": refused}))`,
    { policy: creds.policy, signature: creds.signature, token: creds.token, now: NOW + 1 },
  )
  assert.deepStrictEqual(out.policy, { ...new capsign.Verifier(SECRET).verifyToken(creds.token, { now: NOW }).policy })
  assert.equal(out.refused, 'denied')
})

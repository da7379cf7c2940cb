// Sign and verify, per call, for capsign and its Node peers, in one run.
//
//   make bench-node        (or: node bench/node_bench.mjs [--ms 300] [--repeat 7])
//
// Every library signs the reference policy of the core issue and "verify" means: check
// the signature and expiry, then authorize a `store` of that handle under
// /uploads/user-42/ with a size (capsign natively; for the others the same checks are
// written in JavaScript, as an app would have to). jsonwebtoken gets a KeyObject secret;
// jose is asynchronous and is awaited. Figures are medians of timed batches; ratios are
// to capsign in the same run.
//
// The Ed25519 table verifies the same policy signed with an Ed25519 key: capsign's first
// verification of a token (a cycle of 8,192 distinct tokens, twice the verified-policy
// cache, so every call misses it), its repeated verification of one token (the cache hit),
// a hand-written node:crypto check (signature, base64url, JSON, the same authorization)
// and jose EdDSA.

import { createHmac, createPrivateKey, createPublicKey, createSecretKey, sign as edSign, timingSafeEqual, verify as edVerify } from 'node:crypto'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)
const capsign = require('capsign')

const { values: args } = parseArgs({
  options: { ms: { type: 'string', default: '300' }, repeat: { type: 'string', default: '7' } },
})
const BATCH_MS = Number(args.ms)
const REPEAT = Number(args.repeat)

const SECRET = 'bench-secret-0123456789abcdef-0123'
const HANDLE = 'KW9EJhYtS6y48Whm2S6D'
const PATH = '/uploads/user-42/photo.jpg'
const SIZE = 123_456
const now = Math.floor(Date.now() / 1000)
const policy = {
  expiry: now + 900,
  call: ['pick', 'read', 'store'],
  handle: HANDLE,
  path: '/uploads/user-42/.*',
  maxSize: 10_485_760,
}
const compiled = new Map()

/** The checks capsign makes natively, in JavaScript, for the peers (regexes cached, as
 * capsign caches them). */
function authorize(claims) {
  if (!(Math.floor(Date.now() / 1000) < claims.expiry)) throw new Error('expired')
  if (!claims.call.includes('store')) throw new Error('call')
  if (claims.handle !== HANDLE) throw new Error('handle')
  let re = compiled.get(claims.path)
  if (re === undefined) compiled.set(claims.path, (re = new RegExp(`^(?:${claims.path})$`)))
  if (!re.test(PATH)) throw new Error('path')
  if (SIZE > claims.maxSize) throw new Error('size')
}

async function perCall(fn, isAsync) {
  const run = async (n) => {
    const start = process.hrtime.bigint()
    if (isAsync) for (let i = 0; i < n; i++) await fn()
    else for (let i = 0; i < n; i++) fn()
    return Number(process.hrtime.bigint() - start) / 1e9
  }
  let n = 1
  let elapsed = await run(n)
  while (elapsed < BATCH_MS / 1000 / 10) {
    n *= 2
    elapsed = await run(n)
  }
  const batch = Math.max(1, Math.floor((n * BATCH_MS) / 1000 / elapsed))
  const times = []
  for (let i = 0; i < REPEAT; i++) times.push((await run(batch)) / batch)
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

function capsignCase() {
  const signer = new capsign.Signer(SECRET)
  const verifier = new capsign.Verifier(SECRET)
  const claims = { expiry: policy.expiry, call: policy.call, handle: HANDLE, path: policy.path, maxSize: policy.maxSize }
  const token = signer.issue(claims).token
  const request = { call: 'store', handle: HANDLE, path: PATH, size: SIZE }
  verifier.verifyToken(token, request)
  return { sign: () => signer.issue(claims), verify: () => verifier.verifyToken(token, request) }
}

function nodeCryptoCase() {
  const key = createSecretKey(Buffer.from(SECRET))
  const sign = () => {
    const p = Buffer.from(JSON.stringify(policy)).toString('base64url')
    return [p, createHmac('sha256', key).update(p).digest('hex')]
  }
  const [p, s] = sign()
  const expected = Buffer.from(s, 'hex')
  const verify = () => {
    const mac = createHmac('sha256', key).update(p).digest()
    if (!timingSafeEqual(mac, expected)) throw new Error('signature')
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
    authorize(claims)
    return claims
  }
  verify()
  return { sign, verify }
}

function jsonwebtokenCase() {
  const jwt = require('jsonwebtoken')
  const key = createSecretKey(Buffer.from(SECRET))
  const payload = { ...policy, exp: policy.expiry }
  const sign = () => jwt.sign(payload, key, { algorithm: 'HS256' })
  const token = sign()
  const verify = () => {
    const claims = jwt.verify(token, key, { algorithms: ['HS256'] })
    authorize(claims)
    return claims
  }
  verify()
  return { sign, verify }
}

function fastJwtCase() {
  const { createSigner, createVerifier } = require('fast-jwt')
  const signer = createSigner({ key: SECRET, algorithm: 'HS256' })
  const verifier = createVerifier({ key: SECRET, algorithms: ['HS256'] })
  const payload = { ...policy, exp: policy.expiry }
  const token = signer(payload)
  const verify = () => {
    const claims = verifier(token)
    authorize(claims)
    return claims
  }
  verify()
  return { sign: () => signer(payload), verify }
}

async function joseCase() {
  const { SignJWT, jwtVerify } = await import('jose')
  const key = new TextEncoder().encode(SECRET)
  const payload = { ...policy }
  const sign = () => new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(policy.expiry).sign(key)
  const token = await sign()
  const verify = async () => {
    const { payload: claims } = await jwtVerify(token, key, { algorithms: ['HS256'] })
    authorize(claims)
    return claims
  }
  await verify()
  return { sign, verify, async: true }
}

const cases = [
  ['capsign', capsignCase()],
  ['node:crypto baseline (hmac+base64url+JSON)', nodeCryptoCase()],
  ['jsonwebtoken HS256 (KeyObject)', jsonwebtokenCase()],
  ['fast-jwt HS256', fastJwtCase()],
  ['jose HS256 (async)', await joseCase()],
]

const results = []
for (const [name, c] of cases) {
  results.push({ name, sign: await perCall(c.sign, c.async), verify: await perCall(c.verify, c.async) })
}
const base = results[0]
console.log(`Node ${process.version}, capsign ${require('capsign/package.json').version}`)
console.log(`${'library'.padEnd(44)} ${'sign µs'.padStart(9)} ${'x capsign'.padStart(10)} ${'verify µs'.padStart(10)} ${'x capsign'.padStart(10)}`)
for (const r of results) {
  console.log(
    `${r.name.padEnd(44)} ${(r.sign * 1e6).toFixed(2).padStart(9)} ${(r.sign / base.sign).toFixed(1).padStart(10)} ${(r.verify * 1e6).toFixed(2).padStart(10)} ${(r.verify / base.verify).toFixed(1).padStart(10)}`,
  )
}

// --- Ed25519 ----------------------------------------------------------------------------

const ED_SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const DISTINCT = 8192

function ed25519Cases() {
  const key = new capsign.SigningKey(ED_SEED)
  const signer = new capsign.Signer(null, { signingKey: key })
  const verifier = new capsign.Verifier(null, { publicKeys: { [signer.kid]: key.publicKey } })
  const claims = { expiry: policy.expiry, call: policy.call, handle: HANDLE, path: policy.path, maxSize: policy.maxSize }
  const tokens = Array.from({ length: DISTINCT }, (_, i) => signer.issue({ ...claims, jti: `t${i}` }).token)
  const request = { call: 'store', handle: HANDLE, path: PATH, size: SIZE }
  let i = 0
  const first = () => verifier.verifyToken(tokens[i++ % DISTINCT], request)
  const repeated = () => verifier.verifyToken(tokens[0], request)

  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), ED_SEED]),
    format: 'der',
    type: 'pkcs8',
  })
  const publicKey = createPublicKey(privateKey)
  const p = Buffer.from(JSON.stringify(policy)).toString('base64url')
  const s = edSign(null, Buffer.from(p), privateKey)
  const byHand = () => {
    if (!edVerify(null, Buffer.from(p), publicKey, s)) throw new Error('signature')
    const decoded = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
    authorize(decoded)
    return decoded
  }
  return { first, repeated, byHand, privateKey, publicKey }
}

async function joseEdCase(privateKey, publicKey) {
  const { SignJWT, jwtVerify } = await import('jose')
  const token = await new SignJWT({ ...policy }).setProtectedHeader({ alg: 'EdDSA' }).setExpirationTime(policy.expiry).sign(privateKey)
  return async () => {
    const { payload } = await jwtVerify(token, publicKey, { algorithms: ['EdDSA'] })
    authorize(payload)
    return payload
  }
}

const ed = ed25519Cases()
const edRows = [
  ['capsign Ed25519, first verification', ed.first, false],
  ['capsign Ed25519, same token again', ed.repeated, false],
  ['node:crypto Ed25519 + base64url + JSON', ed.byHand, false],
  ['jose EdDSA (async)', await joseEdCase(ed.privateKey, ed.publicKey), true],
]
const edTimes = []
for (const [name, fn, isAsync] of edRows) {
  await fn()
  edTimes.push([name, await perCall(fn, isAsync)])
}
console.log()
console.log(`${'Ed25519 verification'.padEnd(44)} ${'µs'.padStart(9)} ${'x capsign first'.padStart(16)}`)
for (const [name, t] of edTimes) {
  console.log(`${name.padEnd(44)} ${(t * 1e6).toFixed(2).padStart(9)} ${(t / edTimes[0][1]).toFixed(2).padStart(16)}`)
}

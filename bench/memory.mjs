// Resident memory over 10 million verifications, through the Node API.
//
//   node bench/memory.mjs [COUNT]
//
// Verifies a mix of 10,000 distinct genuine tokens (authorized), tampered ones
// (bad_signature) and expired ones (expired) through one Verifier, and prints the resident
// set size at the start, after a warm-up of 1% (caches full), and at the end, each after a
// full garbage collection when node runs with --expose-gc (make memory does). Growth
// after the warm-up is what a leak would show.

import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const capsign = require('../node/index.js')

const SECRET = 'memory-check-secret-0123456789'
const NOW = 1_700_000_000
const DISTINCT = 10_000

function rssMiB() {
  globalThis.gc?.()
  return process.memoryUsage().rss / 2 ** 20
}

const count = Number(process.argv[2] ?? 10_000_000)
const signer = new capsign.Signer(SECRET)
const verifier = new capsign.Verifier(SECRET)
const handles = Array.from({ length: DISTINCT }, (_, i) => `handle-${String(i).padStart(5, '0')}`)
const tokens = handles.map(
  (handle) => signer.issue({ call: ['read', 'store'], handle, path: '/uploads/user-42/.*', now: NOW }).token,
)
const tampered = tokens.map((t) => t.slice(0, -1) + (t.endsWith('0') ? '1' : '0'))
const path = '/uploads/user-42/a.png'
const start = rssMiB()
let warm = start
const warmup = Math.floor(count / 100)
let granted = 0
let refused = 0
const began = process.hrtime.bigint()
for (let i = 0; i < count; i++) {
  if (i === warmup) warm = rssMiB()
  const k = i % DISTINCT
  const kind = i % 10
  try {
    if (kind === 8) verifier.verifyToken(tampered[k], { now: NOW, call: 'read', handle: handles[k], path })
    else if (kind === 9) verifier.verifyToken(tokens[k], { now: NOW + 10_000, call: 'read', handle: handles[k], path })
    else verifier.verifyToken(tokens[k], { now: NOW, call: 'read', handle: handles[k], path })
    granted++
  } catch (e) {
    if (e.name !== 'CapsignError') throw e
    refused++
  }
}
const seconds = Number(process.hrtime.bigint() - began) / 1e9
const end = rssMiB()
if (refused !== Math.floor(count / 10) * 2 + Math.max(0, (count % 10) - 8)) throw new Error(`refused ${refused}`)
console.log(`node: ${count} verifications (${granted} granted, ${refused} refused) in ${seconds.toFixed(1)} s`)
console.log(
  `node: RSS start ${start.toFixed(1)} MiB, after warm-up ${warm.toFixed(1)} MiB, end ${end.toFixed(1)} MiB, ` +
    `growth after warm-up ${(end - warm >= 0 ? '+' : '') + (end - warm).toFixed(2)} MiB`,
)

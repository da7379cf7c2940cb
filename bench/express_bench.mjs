// Requests per second of an Express hello route with and without the capsign middleware,
// on 127.0.0.1, in interleaved rounds (the machine is shared and noisy: compare within a
// round, report the median ratio).
//
//   make bench-node        (or: node bench/express_bench.mjs [--rounds 5] [--seconds 3])
//
// The server runs in a child process; autocannon (10 connections) drives it from this
// one. Load is bounded: rounds × 2 runs × `seconds`.

import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)
const SECRET = 'bench-secret-0123456789abcdef-0123'

if (process.argv[2] === '--serve') {
  const express = require('express')
  const { Verifier } = require('capsign')
  const { capsign } = require('capsign/express')
  const verifier = new Verifier(SECRET)
  const app = express()
  app.get('/plain/hello', (req, res) => res.send('hello'))
  // A middleware that does nothing but what any middleware does: set a property, call next.
  app.get('/noop/hello', (req, res, next) => ((req.capsign = null), next()), (req, res) => res.send('hello'))
  app.get('/secure/hello', capsign({ verifier, rest: true }), (req, res) => res.send('hello'))
  const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
} else {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' } },
  })
  const rounds = Number(values.rounds)
  const seconds = Number(values.seconds)
  const autocannon = require('autocannon')
  const { Signer } = require('capsign')
  const token = new Signer(SECRET).issue({ expiresIn: 3600, permissions: ['GET /secure/hello'] }).token

  const child = fork(new URL(import.meta.url).pathname, ['--serve'], { stdio: 'inherit' })
  const { port } = await new Promise((resolve) => child.once('message', resolve))
  const run = (path, headers) =>
    autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 10, duration: seconds, headers })
  // Warm up both routes, and check the secure one answers 200.
  const check = await autocannon({ url: `http://127.0.0.1:${port}/secure/hello`, amount: 200, headers: { authorization: `Bearer ${token}` } })
  if (check.non2xx !== 0) throw new Error(`the secure route refused the token (${check.non2xx} non-2xx)`)
  await run('/plain/hello', { authorization: `Bearer ${token}` })

  const headers = { authorization: `Bearer ${token}` }
  const rows = []
  for (let i = 0; i < rounds; i++) {
    // Same request shape for all three (same header, same path depth); order alternates.
    const order = i % 2 ? ['plain', 'noop', 'secure'] : ['secure', 'noop', 'plain']
    const row = { errors: 0 }
    for (const name of order) {
      const r = await run(`/${name}/hello`, headers)
      row[name] = r.requests.average
      row.errors += r.non2xx
    }
    rows.push(row)
    console.log(
      `round ${i + 1}: bare ${row.plain.toFixed(0)}, no-op middleware ${row.noop.toFixed(0)}, capsign ${row.secure.toFixed(0)} req/s`,
    )
  }
  child.kill()
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const vsBare = median(rows.map((r) => 1 - r.secure / r.plain))
  const vsNoop = median(rows.map((r) => 1 - r.secure / r.noop))
  const noopCost = median(rows.map((r) => 1 - r.noop / r.plain))
  console.log(`Node ${process.version}, Express ${require('express/package.json').version}, ${rounds} rounds of ${seconds}s, 10 connections`)
  console.log(`median cost of the capsign middleware: ${(vsBare * 100).toFixed(1)}% of the bare route's throughput`)
  console.log(`  of which any middleware (a no-op one): ${(noopCost * 100).toFixed(1)}%; capsign's own work: ${(vsNoop * 100).toFixed(1)}%`)
  if (rows.some((r) => r.errors !== 0)) console.log('(some requests were not 2xx: see above)')
}

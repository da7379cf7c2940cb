// Requests per second of the adapters against a bare route of the same framework, on
// 127.0.0.1, in interleaved rounds (the machine is shared and noisy: compare within a
// round, report the median ratio). Express, Fastify (Node), FastAPI under uvicorn and
// Flask under gunicorn (Python); each without a store, and with a Redis store (a
// redis-server started here), against the same bare route.
//
//   make bench-web        (or: node bench/web_bench.mjs [--rounds 3] [--seconds 2])
//
// Each server runs in its own process; autocannon (10 connections) drives it from this
// one. Load is bounded: rounds × routes × `seconds`.

import { fork, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)
const SECRET = 'bench-secret-0123456789abcdef-0123'
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

if (process.argv[2] === '--serve') {
  const kind = process.argv[3]
  const redisUrl = process.argv[4]
  const capsign = require('capsign')
  const verifier = new capsign.Verifier(SECRET)
  let store = null
  if (redisUrl) {
    const { createClient } = require('redis')
    const client = createClient({ url: redisUrl, disableOfflineQueue: true })
    await client.connect()
    store = new capsign.RedisStore(client)
  }
  const memory = new capsign.MemoryStore()
  if (kind === 'express') {
    const express = require('express')
    const { capsign: middleware } = require('capsign/express')
    const app = express()
    app.get('/plain/hello', (req, res) => res.send('hello'))
    app.get('/secure/hello', middleware({ verifier, rest: true }), (req, res) => res.send('hello'))
    app.get('/memory/hello', middleware({ verifier, store: memory, rest: true }), (req, res) => res.send('hello'))
    app.get('/redis/hello', middleware({ verifier, store, rest: true }), (req, res) => res.send('hello'))
    const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  } else {
    const app = require('fastify')()
    app.register(require('capsign/fastify'), { verifier })
    app.register(async (scope) => {
      scope.get('/plain/hello', async () => 'hello')
      scope.get('/secure/hello', { onRequest: scope.capsign({ rest: true }) }, async () => 'hello')
      scope.get('/memory/hello', { onRequest: scope.capsign({ rest: true, store: memory }) }, async () => 'hello')
      scope.get('/redis/hello', { onRequest: scope.capsign({ rest: true, store }) }, async () => 'hello')
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    process.send({ port: app.server.address().port })
  }
} else {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '2' } },
  })
  const rounds = Number(values.rounds)
  const seconds = Number(values.seconds)
  const autocannon = require('autocannon')
  const capsign = require('capsign')
  const permissions = ['GET /secure/hello', 'GET /memory/hello', 'GET /redis/hello']
  const token = new capsign.Signer(SECRET).issue({ expiresIn: 3600, permissions, jti: 'bench' }).token
  const headers = { authorization: `Bearer ${token}` }

  const freePort = () =>
    new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address()
        s.close(() => resolve(port))
      })
    })
  const redisPort = await freePort()
  const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 500))
  const redisUrl = `redis://127.0.0.1:${redisPort}`

  const python = process.env.CAPSIGN_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python')
  const startNode = (kind) =>
    new Promise((resolve) => {
      const child = fork(new URL(import.meta.url).pathname, ['--serve', kind, redisUrl], { stdio: 'inherit' })
      child.once('message', ({ port }) => resolve({ port, child }))
    })
  const startPython = (kind) =>
    new Promise((resolve, reject) => {
      const child = spawn(python, [path.join(ROOT, 'bench', 'web_servers.py'), kind, redisUrl], { stdio: ['ignore', 'pipe', 'inherit'] })
      child.stdout.once('data', (d) => resolve({ port: Number(String(d).trim()), child }))
      child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)))
    })
  const servers = {
    Express: await startNode('express'),
    Fastify: await startNode('fastify'),
    'FastAPI (uvicorn)': await startPython('fastapi'),
    'Flask (gunicorn)': await startPython('flask'),
  }
  const stopAll = () => {
    for (const { child } of Object.values(servers)) child.kill()
    redis.kill()
  }
  process.on('exit', stopAll)
  const run = (port, route) => autocannon({ url: `http://127.0.0.1:${port}/${route}/hello`, connections: 10, duration: seconds, headers })
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(`Node ${process.version}; ${rounds} rounds of ${seconds}s per route, 10 connections, one process per server`)
  for (const [name, { port }] of Object.entries(servers)) {
    const check = await autocannon({ url: `http://127.0.0.1:${port}/redis/hello`, amount: 100, headers })
    if (check.non2xx !== 0) throw new Error(`${name}: the secure route refused the token`)
    await run(port, 'plain')
    const rows = []
    for (let i = 0; i < rounds; i++) {
      const routes = i % 2 ? ['plain', 'secure', 'memory', 'redis'] : ['redis', 'memory', 'secure', 'plain']
      const row = {}
      for (const route of routes) row[route] = (await run(port, route)).requests.average
      rows.push(row)
    }
    const rps = (route) => median(rows.map((r) => r[route]))
    const ratio = (route) => median(rows.map((r) => r[route] / r.plain))
    console.log(
      `${name.padEnd(20)} bare ${rps('plain').toFixed(0).padStart(6)} req/s | capsign ${(100 * ratio('secure')).toFixed(1)}% | + memory store ${(100 * ratio('memory')).toFixed(1)}% | + Redis store ${(100 * ratio('redis')).toFixed(1)}% of bare`,
    )
  }
  process.exit(0)
}

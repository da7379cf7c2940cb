// Requests per second of the adapters against a bare route of the same framework, on
// 127.0.0.1, in interleaved rounds (the machine is shared and noisy: compare within a
// round, report the median ratio). Express, Fastify (Node), FastAPI under uvicorn and
// Flask under gunicorn (Python); each without a store, and with a Redis store (a
// redis-server started here), against the same bare route. Two more routes separate the
// framework's price from capsign's: `empty`, the same hook, middleware, dependency or
// decorator doing nothing, and for FastAPI `asgi`, capsign's ASGI middleware instead of
// the dependency. Besides requests per second, each route's server CPU time per request
// (user + system, from /proc, for the server's process tree) is printed: unlike
// throughput, it is not moved much by other processes on the machine.
//
//   make bench-web        (or: node bench/web_bench.mjs [--rounds 3] [--seconds 2])
//
// Each server runs in its own process; autocannon (10 connections) drives it from this
// one. Load is bounded: rounds × routes × `seconds`.

import { fork, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
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
    app.get('/empty/hello', (req, res, next) => next(), (req, res) => res.send('hello'))
    app.get('/secure/hello', middleware({ verifier, rest: true }), (req, res) => res.send('hello'))
    app.get('/memory/hello', middleware({ verifier, store: memory, rest: true }), (req, res) => res.send('hello'))
    app.get('/redis/hello', middleware({ verifier, store, rest: true }), (req, res) => res.send('hello'))
    const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  } else {
    const app = require('fastify')()
    app.register(require('capsign/fastify'), { verifier })
    app.register(async (scope) => {
      scope.get('/plain/hello', async () => 'hello')
      scope.get('/empty/hello', { onRequest: (request, reply, done) => done() }, async () => 'hello')
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
  const permissions = ['GET /secure/hello', 'GET /asgi/hello', 'GET /memory/hello', 'GET /redis/hello']
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
    'FastAPI (uvicorn)': { ...(await startPython('fastapi')), asgi: true },
    'Flask (gunicorn)': await startPython('flask'),
  }
  const stopAll = () => {
    for (const { child } of Object.values(servers)) child.kill()
    redis.kill()
  }
  process.on('exit', stopAll)
  // CPU seconds (user + system) of a process and its descendants, from /proc.
  const ticks = 100 // USER_HZ on Linux
  const cpuOfTree = (pid) => {
    let total = 0
    const stack = [pid]
    while (stack.length) {
      const p = stack.pop()
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        total += (Number(f[11]) + Number(f[12])) / ticks
        for (const t of readdirSync(`/proc/${p}/task`)) {
          const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim()
          if (kids) stack.push(...kids.split(' ').map(Number))
        }
      } catch {
        // the process ended meanwhile
      }
    }
    return total
  }
  const run = async (server, route) => {
    const before = cpuOfTree(server.child.pid)
    const result = await autocannon({ url: `http://127.0.0.1:${server.port}/${route}/hello`, connections: 10, duration: seconds, headers })
    if (result.non2xx !== 0 || result.requests.total === 0) throw new Error(`/${route}/hello: ${result.requests.total} requests, ${result.non2xx} not 2xx`)
    const cpu = cpuOfTree(server.child.pid) - before
    return { rps: result.requests.average, cpuUs: (1e6 * cpu) / Math.max(1, result.requests.total) }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const pct = (x) => `${(100 * x).toFixed(1)}%`
  console.log(`Node ${process.version}; ${rounds} rounds of ${seconds}s per route, 10 connections, one process per server`)
  console.log('per route: throughput as a share of the bare route (median of the rounds), then server CPU µs per request')
  for (const [name, server] of Object.entries(servers)) {
    const routes = ['plain', 'empty', 'secure', ...(server.asgi ? ['asgi'] : []), 'memory', 'redis']
    for (const route of routes) {
      const check = await autocannon({ url: `http://127.0.0.1:${server.port}/${route}/hello`, amount: 100, headers })
      if (check.non2xx !== 0) throw new Error(`${name}: /${route}/hello refused the token`)
    }
    await run(server, 'plain')
    const rows = []
    for (let i = 0; i < rounds; i++) {
      const row = {}
      for (const route of i % 2 ? routes : [...routes].reverse()) row[route] = await run(server, route)
      rows.push(row)
    }
    const labels = { empty: 'empty hook', secure: 'capsign', asgi: 'capsign.asgi', memory: '+ memory store', redis: '+ Redis store' }
    const plainRps = median(rows.map((r) => r.plain.rps))
    const plainCpu = median(rows.map((r) => r.plain.cpuUs))
    const cells = routes
      .filter((route) => route !== 'plain')
      .map((route) => {
        const share = median(rows.map((r) => r[route].rps / r.plain.rps))
        const cpu = median(rows.map((r) => r[route].cpuUs))
        return `${labels[route]} ${pct(share)} ${cpu.toFixed(0)} µs`
      })
    console.log(`${name.padEnd(18)} bare ${plainRps.toFixed(0).padStart(6)} req/s ${plainCpu.toFixed(0)} µs | ${cells.join(' | ')}`)
  }
  process.exit(0)
}

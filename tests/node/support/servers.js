'use strict'
// Servers for the real-client suites, on 127.0.0.1 only: the Express RPC example, and the
// Flask service of tests/servers/flask_server.py in a child process.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..', '..')

/** The Python that has capsign built in (make python): $CAPSIGN_PYTHON or the repo's .venv. */
function python() {
  const candidate = process.env.CAPSIGN_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python')
  if (!fs.existsSync(candidate)) {
    throw new Error(`no Python with capsign at ${candidate}: run make python (or set CAPSIGN_PYTHON)`)
  }
  return candidate
}

/** Listens on a free port of 127.0.0.1; resolves to `{ server, port, close }`. */
function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({ server, port: server.address().port, close: () => new Promise((r) => server.close(r)) })
    })
    server.on('error', reject)
  })
}

/** The Express RPC example with `signingKey`, in a temporary data directory. */
async function startExpressRpc(signingKey) {
  const { createApp } = require('../../../examples/express_rpc/server.js')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-rpc-'))
  const made = createApp({ dataDir, signingKey })
  const listening = await listen(made.app)
  return {
    url: `http://127.0.0.1:${listening.port}`,
    peerId: made.peerId,
    async close() {
      await listening.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * tests/servers/flask_server.py with the node key `seedText` and the Filestack `secret`;
 * resolves once it prints its port.
 */
function startFlask({ seedText, secret, redisUrl }) {
  const child = spawn(python(), [path.join(ROOT, 'tests', 'servers', 'flask_server.py'), '0'], {
    env: { ...process.env, CAPSIGN_NODE_SEED: seedText, CAPSIGN_SECRET: secret, REDIS_URL: redisUrl ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c) => {
    stderr += c
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`the Flask server did not start: ${stderr}`))
    }, 30_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the Flask server exited (${code}): ${stderr}`))
    })
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      const line = out.split('\n').find((l) => l.startsWith('ready '))
      if (!line) return
      clearTimeout(timer)
      const [, port, peerId] = line.split(' ')
      resolve({
        url: `http://127.0.0.1:${port}`,
        peerId,
        close: () =>
          new Promise((r) => {
            child.removeAllListeners('exit')
            child.once('exit', r)
            child.kill('SIGTERM')
          }),
      })
    })
  })
}

/** redis-server on a free port of 127.0.0.1, without persistence: `{ url, port, stop }`. */
async function startRedis() {
  const net = require('node:net')
  const port = await new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.listen(0, '127.0.0.1', () => {
      const p = probe.address().port
      probe.close(() => resolve(p))
    })
    probe.on('error', reject)
  })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-redis-'))
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  })
  const failed = new Promise((_, reject) => child.once('error', (e) => reject(new Error(`redis-server: ${e.message} (apt-get install redis-server)`))))
  const ready = (async () => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const ok = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.end('PING\r\n'))
        s.once('data', (d) => resolve(d.toString().startsWith('+PONG')))
        s.once('error', () => resolve(false))
      })
      if (ok) return
      if (Date.now() > deadline) throw new Error('redis-server did not start')
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  await Promise.race([ready, failed])
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => {
          fs.rmSync(dir, { recursive: true, force: true })
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}

module.exports = { ROOT, python, listen, startExpressRpc, startFlask, startRedis }

'use strict'
// The demo app end to end in a real browser: Debian's Chromium, driven by playwright-core.
//
// The demo runs as `make demo` runs it (examples/demo/run.py), on free ports on 127.0.0.1,
// with a temporary data folder. Screenshots of every page passed through are saved under
// target/e2e/. Without a browser the suite is skipped, saying why — except where
// CAPSIGN_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
//
// Or against a demo that already runs (its container, in tests/docker/run.sh), given by
//   CAPSIGN_E2E_WEB, CAPSIGN_E2E_API  its two URLs as the browser reaches them;
//   CAPSIGN_E2E_DATA                  a folder that holds a copy of its data/node.key;
//   CAPSIGN_E2E_LOGS                  a shell command that prints its output from the start
//                                     and follows it (`docker logs -f <container>`);
// it must run with Redis (REDIS_URL), DEMO_USERS=alice:alice-password,bob:bob-password,
// DEMO_MAX_UPLOAD=65536 and DEMO_READ_LINK_SECONDS=3, as this suite expects.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..')
const { startRedis } = require('../node/support/servers.js')
const CHROMIUM = process.env.CAPSIGN_CHROMIUM ?? '/usr/bin/chromium'
const PYTHON = process.env.CAPSIGN_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python')
const SHOTS = path.join(ROOT, 'target', 'e2e')
const USERS = { alice: 'alice-password', bob: 'bob-password' }
const MAX_UPLOAD = 64 * 1024
const READ_LINK_SECONDS = 3
const TARGET = ['CAPSIGN_E2E_WEB', 'CAPSIGN_E2E_API', 'CAPSIGN_E2E_DATA', 'CAPSIGN_E2E_LOGS'].filter((v) => process.env[v])
if (TARGET.length > 0 && TARGET.length < 4) {
  throw new Error(`a running demo needs CAPSIGN_E2E_WEB, CAPSIGN_E2E_API, CAPSIGN_E2E_DATA and CAPSIGN_E2E_LOGS; only ${TARGET.join(', ')} given`)
}
const RUNNING = TARGET.length === 4

function whyNot() {
  if (!fs.existsSync(CHROMIUM)) return `no browser at ${CHROMIUM} (apt-get install chromium)`
  if (!fs.existsSync(PYTHON)) return `the Python package is not built (${PYTHON}): run make python`
  return null
}
const reason = whyNot()
if (reason !== null && process.env.CAPSIGN_REQUIRE_BROWSER === '1') {
  throw new Error(`the browser tests cannot run: ${reason}`)
}
const skip = reason ?? false

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

let demo
let output = ''
let dataDir
let web
let api
let browser

let redis

/** Waits until the demo's output says it is ready (`capsign demo ready`). */
async function ready() {
  demo.stdout.on('data', (d) => (output += d))
  demo.stderr.on('data', (d) => (output += d))
  const deadline = Date.now() + 60_000
  while (!output.includes('capsign demo ready')) {
    if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The demo that already runs: its URLs, its node key, and its output from the start. */
async function attachDemo() {
  const env = process.env
  web = env.CAPSIGN_E2E_WEB.replace(/\/+$/, '')
  api = env.CAPSIGN_E2E_API.replace(/\/+$/, '')
  dataDir = env.CAPSIGN_E2E_DATA
  // In its own process group, stopped as a whole at the end (the shell and what it runs).
  demo = spawn('sh', ['-c', env.CAPSIGN_E2E_LOGS], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  await ready()
}

/** Waits (5 s at most) for a line matching `pattern` in the demo's output after `from`. */
async function logged(pattern, from) {
  const deadline = Date.now() + 5_000
  while (!pattern.test(output.slice(from)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  assert.match(output.slice(from), pattern)
}

async function startDemo() {
  // The demo as it runs with Redis (REDIS_URL): revocations in a real redis-server.
  redis = await startRedis()
  const [webPort, apiPort] = [await freePort(), await freePort()]
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsign-demo-'))
  web = `http://127.0.0.1:${webPort}`
  api = `http://127.0.0.1:${apiPort}`
  demo = spawn(PYTHON, [path.join(ROOT, 'examples', 'demo', 'run.py')], {
    env: {
      ...process.env,
      DEMO_WEB_PORT: String(webPort),
      DEMO_API_PORT: String(apiPort),
      DEMO_DATA: dataDir,
      DEMO_USERS: Object.entries(USERS).map(([u, p]) => `${u}:${p}`).join(','),
      DEMO_MAX_UPLOAD: String(MAX_UPLOAD),
      DEMO_READ_LINK_SECONDS: String(READ_LINK_SECONDS),
      REDIS_URL: redis.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await ready()
}

before(async () => {
  if (skip) return
  fs.mkdirSync(SHOTS, { recursive: true })
  await (RUNNING ? attachDemo() : startDemo())
  const { chromium } = require('playwright-core')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
})

after(async () => {
  await browser?.close()
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.once('exit', r))
    if (RUNNING) process.kill(-demo.pid, 'SIGTERM')
    else demo.kill('SIGINT')
    await exited
  }
  if (dataDir && !RUNNING) fs.rmSync(dataDir, { recursive: true, force: true })
  await redis?.stop()
})

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

async function login(page, user) {
  await page.goto(`${web}/`)
  assert.match(page.url(), /\/login/)
  await page.fill('#user', user)
  await page.fill('#password', USERS[user])
  await Promise.all([page.waitForURL(`${web}/`), page.click('#login')])
}

/** A token signed with the demo node's own key, for setting up and checking state. */
function adminToken(permissions) {
  const { Signer, SigningKey } = require('capsign')
  const signingKey = new SigningKey(fs.readFileSync(path.join(dataDir, 'node.key'), 'utf8').trim())
  return new Signer(null, { signingKey }).issue({ expiresIn: 600, permissions }).token
}

/** An RPC call; `add` sends `body` as a file of a multipart body, as IPFS clients do. */
async function rpc(command, token, body) {
  let sent = body
  if (command === 'add' && typeof body === 'string') {
    sent = new FormData()
    sent.append('file', new Blob([body]), 'file.txt')
  }
  const response = await fetch(`${api}/api/v0/${command}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: sent,
  })
  return { status: response.status, json: await response.json().catch(() => null) }
}

test('upload a file, read it back through a signed link; tampered and expired links are refused', { skip }, async () => {
  const page = await browser.newPage()
  await login(page, 'alice')
  await shot(page, '01-picker')
  const bytes = Buffer.from(`hello from the browser test ${Date.now()}\n`)
  await page.setInputFiles('#file', { name: 'hello.txt', mimeType: 'text/plain', buffer: bytes })
  await page.waitForSelector('#link-section:not([hidden])')
  assert.match(await page.textContent('#upload-status'), new RegExp(`Stored ${bytes.length} bytes as /uploads/alice/hello.txt`))
  await shot(page, '02-uploaded')

  // The read link downloads the same bytes, in the page and outside it.
  const link = await page.inputValue('#link-input')
  await page.click('#download')
  await page.waitForSelector('#download-status.ok')
  assert.equal(await page.getAttribute('#download-status', 'data-bytes'), Array.from(bytes).join(','))
  const direct = await fetch(link)
  assert.equal(direct.status, 200)
  assert.deepStrictEqual(Buffer.from(await direct.arrayBuffer()), bytes)
  await shot(page, '03-downloaded')

  // One character of the signature changed: refused, and the page says so in words.
  const sig = link.slice(-64)
  const tampered = link.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')
  await page.fill('#link-input', tampered)
  await page.click('#download')
  await page.waitForSelector('#download-status.refused')
  const refusal = await page.textContent('#download-status')
  assert.match(refusal, /Refused \(401 bad_signature\): the signature does not match the policy/)
  assert.equal((await fetch(tampered)).status, 401)
  await shot(page, '04-tampered-link')

  // After expiry the genuine link is refused too.
  await new Promise((r) => setTimeout(r, (READ_LINK_SECONDS + 1.5) * 1000))
  await page.fill('#link-input', link)
  await page.click('#download')
  await page.waitForFunction(() => document.querySelector('#download-status').textContent.includes('expired'))
  assert.match(await page.textContent('#download-status'), /Refused \(401 expired\): the policy expired at \d+/)
  assert.equal((await fetch(link)).status, 401)
  await shot(page, '05-expired-link')
  await page.close()
})

test('anonymous users get no credentials', { skip }, async () => {
  const page = await browser.newPage()
  const json = await page.goto(`${web}/json`)
  assert.equal(json.status(), 401)
  assert.ok(!(await page.content()).includes('signature'))
  await page.goto(`${web}/`)
  assert.match(page.url(), /\/login\?next=/)
  assert.ok(!(await page.content()).includes('policy'))
  await shot(page, '06-anonymous-login')
  await page.fill('#user', 'alice')
  await page.fill('#password', 'wrong')
  await page.click('#login')
  assert.match(await page.textContent('#error'), /Wrong user or password/)
  assert.equal((await fetch(`${web}/read-link`, { method: 'POST' })).status, 401)
  assert.equal((await fetch(`${web}/mint`, { method: 'POST' })).status, 401)
  await page.close()
})

test('the mint page: tick boxes, Sign, and the token allows exactly that; its curl command works', { skip }, async () => {
  const page = await browser.newPage()
  await login(page, 'bob')
  await page.goto(`${web}/mint`)
  await page.check('#perm-id')
  await page.check('#perm-version')
  await page.selectOption('#lifetime', '60')
  await shot(page, '07-mint-ticked')
  await page.click('#sign')
  await page.waitForSelector('#result:not([hidden])')
  const token = await page.inputValue('#token')
  const permissions = await page.$$eval('#permissions li', (items) => items.map((i) => i.textContent))
  assert.deepStrictEqual(permissions, ['id', 'version'])
  await page.click('#try')
  await page.waitForFunction(() => document.querySelector('#try-status').textContent !== '')
  assert.equal(await page.textContent('#try-status'), '200 allowed')
  assert.match(await page.textContent('#try-body'), /"ID"/)
  await shot(page, '08-mint-signed')

  // Exactly what was ticked.
  assert.equal((await rpc('id', token)).status, 200)
  assert.equal((await rpc('version', token)).status, 200)
  const pinLs = await rpc('pin/ls', token)
  assert.equal(pinLs.status, 403)
  assert.equal(pinLs.json.error, 'denied')
  assert.equal((await rpc('add', token, 'x')).status, 403)

  // The curl command shown works when run.
  const curl = await page.inputValue('#curl')
  assert.match(curl, /^curl -sS -X POST -H 'Authorization: Bearer [^']+' '?http:\/\/127\.0\.0\.1:\d+\/api\/v0\/id'?$/)
  const run = spawnSync('sh', ['-c', curl], { encoding: 'utf8', timeout: 10_000 })
  assert.equal(run.status, 0, run.stderr)
  const peerId = JSON.parse(run.stdout).ID
  assert.match(peerId, /^12D3KooW/)
  assert.equal(await page.textContent('#peer-id'), peerId)

  // The check shown needs only the peer ID, and it passes; the node publishes its key.
  const verify = await page.inputValue('#verify')
  assert.ok(verify.startsWith(`capsign verify --peer-id ${peerId} `), verify)
  const checked = spawnSync('sh', ['-c', verify.replace(/^capsign /, `'${PYTHON}' -m capsign `)], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(checked.status, 0, checked.stderr)
  assert.equal(JSON.parse(checked.stdout).kid, peerId)
  const keys = await (await fetch(`${api}/.well-known/capsign-keys.json`)).json()
  assert.deepStrictEqual(keys.keys.map((k) => k.kid), [peerId])

  // A CID constraint narrows `cat` to that file only.
  const cid = (await rpc('add', adminToken(['add']), 'only this one')).json.Hash
  await page.goto(`${web}/mint`)
  await page.check('#perm-cat')
  await page.fill('#cid', cid)
  await page.click('#sign')
  await page.waitForSelector('#result:not([hidden])')
  const catToken = await page.inputValue('#token')
  assert.equal((await rpc(`cat?arg=/ipfs/${cid}`, catToken)).status, 200)
  assert.equal((await rpc(`cat?arg=${cid}`, catToken)).status, 200)
  const other = (await rpc('add', adminToken(['add']), 'another file')).json.Hash
  assert.equal((await rpc(`cat?arg=/ipfs/${other}`, catToken)).status, 403)
  await shot(page, '09-mint-cid')
  await page.close()
})

test('the mint page revokes: one click, and the next request is refused; a one-time token works once', { skip }, async () => {
  const page = await browser.newPage()
  await login(page, 'alice')
  await page.goto(`${web}/mint`)
  await page.check('#perm-version')
  await page.click('#sign')
  await page.waitForSelector('#result:not([hidden])')
  const token = await page.inputValue('#token')
  assert.equal((await rpc('version', token)).status, 200)
  await page.waitForSelector('#minted li button.revoke')
  await page.click('#minted li:first-child button.revoke')
  await page.waitForSelector('#minted li:first-child strong.refused')
  await shot(page, '12-revoked')
  const refused = await rpc('version', token)
  assert.equal(refused.status, 401)
  assert.equal(refused.json.error, 'revoked')
  await page.click('#try')
  await page.waitForFunction(() => document.querySelector('#try-status').textContent !== '')
  assert.equal(await page.textContent('#try-status'), '401 refused')

  // Once: the first request, then used_up — counted in Redis.
  await page.goto(`${web}/mint`)
  await page.check('#perm-id')
  await page.selectOption('#uses', '1')
  await page.click('#sign')
  await page.waitForSelector('#result:not([hidden])')
  const once = await page.inputValue('#token')
  assert.equal((await rpc('id', once)).status, 200)
  const spent = await rpc('id', once)
  assert.equal(spent.status, 401)
  assert.equal(spent.json.error, 'used_up')
  assert.match(output, /redis store/)
  await page.close()
})

test("CSRF, the IPFS seed's attack: another origin's <img> and form cannot unpin", { skip }, async () => {
  const admin = adminToken(['add', 'pin add [--recursive] *', 'pin ls [--type=*]'])
  const cid = (await rpc('add', admin, 'precious')).json.Hash
  assert.equal((await rpc(`pin/add?arg=${cid}`, admin)).status, 200)

  // The attacker's page, served from another origin.
  const target = `${api}/api/v0/pin/rm?arg=${cid}`
  const attack = `<!DOCTYPE html><html><body>
    <img src="${target}">
    <form id="f" method="POST" action="${target}"><input type="hidden" name="x" value="1"></form>
    <script>setTimeout(() => document.getElementById('f').submit(), 200)</script>
  </body></html>`
  const evil = http.createServer((req, res) => res.end(attack))
  await new Promise((r) => evil.listen(0, '127.0.0.1', r))
  const page = await browser.newPage()
  // Logged in to the demo: its session cookie goes to 127.0.0.1 on every port, and is ignored.
  await login(page, 'alice')
  const before = output.length
  await page.goto(`http://127.0.0.1:${evil.address().port}/`)
  await page.waitForURL(/pin\/rm/, { timeout: 10_000 })
  await shot(page, '10-csrf-refused')
  assert.match(await page.content(), /missing_credentials/)
  evil.close()

  // The pin survived, and the API logged the refusal.
  const pins = await rpc('pin/ls', admin)
  assert.ok(cid in pins.json.Keys)
  await logged(/api: refused POST \/api\/v0\/pin\/rm: 401 missing_credentials/, before)
  await page.close()
})

test("uploads over the size limit, or into another user's folder, are refused", { skip }, async () => {
  const page = await browser.newPage()
  await login(page, 'alice')
  await page.setInputFiles('#file', { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD + 1, 7) })
  await page.waitForSelector('#upload-status.refused')
  assert.match(await page.textContent('#upload-status'), /Refused \(403 denied\): denied by maxSize: 65537 bytes is more than 65536/)
  await shot(page, '11-too-big')

  // Alice's upload credentials, aimed at Bob's folder.
  const result = await page.evaluate(async () => {
    const creds = await (await fetch('/json')).json()
    const url = `${creds.upload_url}?path=${encodeURIComponent('/uploads/bob/sneaky.txt')}&policy=${creds.policy}&signature=${creds.signature}`
    const response = await fetch(url, { method: 'POST', body: 'sneaky' })
    return { status: response.status, body: await response.json() }
  })
  assert.equal(result.status, 403)
  assert.equal(result.body.error, 'denied')
  assert.match(result.body.message, /denied by path/)
  await page.close()
})

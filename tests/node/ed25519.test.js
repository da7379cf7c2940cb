'use strict'
// Ed25519 capabilities, checked against independent implementations: node:crypto signs and
// verifies, and libp2p's own peer-ID code (@libp2p/peer-id) reads the peer IDs.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const capsign = require('capsign')

const NOW = 1_700_000_000

function b64url(buffer) {
  return Buffer.from(buffer).toString('base64url')
}

test('a policy signed by node:crypto verifies in capsign', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519')
  const x = publicKey.export({ format: 'jwk' }).x
  const key = new capsign.PublicKey(x)
  const policy = Buffer.from(JSON.stringify({ call: ['read'], expiry: NOW + 900, kid: key.peerId })).toString('base64')
  const signature = b64url(crypto.sign(null, Buffer.from(policy), privateKey))
  const verifier = new capsign.Verifier(null, { publicKeys: { [key.peerId]: key } })
  assert.equal(verifier.verify(policy, signature, { call: 'read', now: NOW }).kid, key.peerId)
  const other = b64url(crypto.sign(null, Buffer.from(policy), crypto.generateKeyPairSync('ed25519').privateKey))
  assert.throws(() => verifier.verify(policy, other, { now: NOW }), { code: 'bad_signature' })
})

test('a token signed by capsign verifies with node:crypto, and the seeds agree', () => {
  const seed = crypto.randomBytes(32)
  const key = new capsign.SigningKey(seed)
  const creds = new capsign.Signer(null, { signingKey: key }).issue({ call: ['read'], now: NOW })
  const [policy, signature] = creds.token.split('.')
  assert.equal(signature.length, 86)
  const publicKey = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toBase64url() }, format: 'jwk' })
  assert.ok(crypto.verify(null, Buffer.from(policy), publicKey, Buffer.from(signature, 'base64url')))
  assert.ok(!crypto.verify(null, Buffer.from(`${policy}x`), publicKey, Buffer.from(signature, 'base64url')))
  // The same seed in node:crypto (PKCS#8) gives the same deterministic signature (RFC 8032).
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  assert.equal(b64url(crypto.sign(null, Buffer.from(policy), privateKey)), signature)
  assert.equal(new capsign.SigningKey(key.toText()).publicKey.peerId, key.publicKey.peerId)
})

test("the peer ID is libp2p's", async () => {
  const { peerIdFromString } = await import('@libp2p/peer-id')
  const key = capsign.SigningKey.generate().publicKey
  const parsed = peerIdFromString(key.peerId)
  assert.equal(parsed.type, 'Ed25519')
  assert.equal(b64url(parsed.publicKey.raw), key.toBase64url())
  // The specification's example.
  const example = new capsign.PublicKey('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
  assert.equal(example.toBase64url(), 'L_o1qZ06PPuxe7fB3FVhsYqNzKTfONxhPqhZw36xM2s')
  assert.equal(b64url(peerIdFromString(example.peerId).publicKey.raw), example.toBase64url())
  // A peer ID libp2p made for a key of its own.
  const { generateKeyPair } = await import('@libp2p/crypto/keys')
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
  const theirs = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  assert.equal(new capsign.PublicKey(theirs.toString()).toBase64url(), b64url(theirs.publicKey.raw))
})

test('verify-only deployment: a key set published, a verifier that cannot mint', () => {
  const key = capsign.SigningKey.generate()
  const signer = new capsign.Signer(null, { signingKey: key })
  assert.equal(signer.kid, key.publicKey.peerId)
  const published = capsign.keySet({ [signer.kid]: key.publicKey })
  const verifier = new capsign.Verifier(null, { keySet: published })
  const token = signer.issue({ permissions: ['pin ls'], now: NOW }).token
  assert.equal(verifier.verifyToken(token, { command: 'pin ls', now: NOW }).matched, 'pin ls')
  assert.equal(verifier.keySet(), published)
  assert.ok(!('d' in JSON.parse(published).keys[0]))
  assert.ok(!String(key).includes(key.toText()))
})

test('the key decides the algorithm; bad keys are refused', () => {
  const key = capsign.SigningKey.generate()
  const kid = key.publicKey.peerId
  const verifier = new capsign.Verifier('an-hmac-secret-of-some-length', { publicKeys: { [kid]: key.publicKey } })
  const forged = new capsign.Signer(key.publicKey.toBase64url(), { kid }).issue({ now: NOW })
  assert.throws(() => verifier.verifyToken(forged.token, { now: NOW }), { code: 'malformed' })
  for (const bad of ['QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '{}']) {
    assert.throws(() => new capsign.PublicKey(bad), { code: 'invalid_argument' })
  }
  assert.throws(() => new capsign.Signer('an-hmac-secret-of-some-length', { signingKey: key }), { code: 'invalid_argument' })
})

test('a verify-only Express service: public keys served, Ed25519 tokens checked, none minted', async () => {
  const express = require('express')
  const { capsign: middleware, keySet } = require('capsign/express')
  const issuer = new capsign.Signer(null, { signingKey: capsign.SigningKey.generate() })
  const peerId = issuer.publicKey.peerId
  // The service knows only the peer ID: it cannot sign anything.
  const verifier = new capsign.Verifier(null, { publicKeys: { [peerId]: peerId } })
  assert.throws(() => keySet(new capsign.Verifier('an-app-secret-of-at-least-16-bytes')), TypeError)
  const app = express()
  app.get('/.well-known/capsign-keys.json', keySet(verifier))
  app.get('/files/:handle', middleware({ verifier, call: 'read', fields: (req) => ({ handle: req.params.handle }) }), (req, res) =>
    res.json({ kid: req.capsign.kid }),
  )
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const base = `http://127.0.0.1:${server.address().port}`
    const keys = await fetch(`${base}/.well-known/capsign-keys.json`)
    assert.equal(keys.headers.get('content-type'), 'application/jwk-set+json')
    const set = await keys.json()
    assert.deepEqual(set.keys.map((k) => [k.kid, k.kty, k.crv, k.x]), [[peerId, 'OKP', 'Ed25519', issuer.publicKey.toBase64url()]])
    assert.ok(set.keys.every((k) => !('d' in k)))
    // A second verifier built from the served set accepts the same tokens.
    const fromSet = new capsign.Verifier(null, { keySet: JSON.stringify(set) })
    const token = issuer.issue({ call: ['read'], handle: 'H1' }).token
    assert.equal(fromSet.verifyToken(token, { call: 'read', handle: 'H1' }).kid, peerId)

    const ok = await fetch(`${base}/files/H1`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(ok.status, 200)
    assert.equal((await ok.json()).kid, peerId)
    const other = await fetch(`${base}/files/H2`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(other.status, 403)
    // An HMAC token naming the peer ID, signed with the public key's bytes, is refused.
    const forged = new capsign.Signer(issuer.publicKey.toBase64url(), { kid: peerId }).issue({ call: ['read'], handle: 'H1' }).token
    const r = await fetch(`${base}/files/H1`, { headers: { authorization: `Bearer ${forged}` } })
    assert.equal(r.status, 401)
    assert.equal((await r.json()).error, 'malformed')
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

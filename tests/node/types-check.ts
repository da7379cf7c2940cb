// Type-checked (tsc --noEmit), never run: the declarations describe the API as used.
import express = require('express')
import capsign = require('capsign')
import capsignExpress = require('capsign/express')

const { Signer, Verifier, Permission, Command, covers, restCommand, rpcCommand } = capsign

const signer = new Signer('an-app-secret-of-at-least-16-bytes', { kid: 'k1' })
const creds: capsign.Credentials = signer.issue({ expiresIn: 900, call: ['pick'], permissions: ['pin add [-r] *'] })
const pair: { policy: string; signature: string } = { policy: creds.policy, signature: creds.signature }
const json: capsign.CredentialsJson = creds.toJSON()

const verifier = new Verifier(null, { keys: { k1: Buffer.from('an-app-secret-of-at-least-16-bytes') }, leeway: 30 })
const grant: capsign.Grant = verifier.verifyToken(creds.token, { command: 'pin add -r QmX' })
const maybe: capsign.Grant | null = verifier.verifyHttp(undefined, [pair.policy], [pair.signature], { call: 'pick' })
const matched: string | null = grant.authorize({ command: new Command('pin add QmY'), now: 1 })
const expiry: number = grant.expiry + json.expiry
const allowed: boolean = grant.allows('pin add QmZ') && new Permission('cat *').matches(rpcCommand('/api/v0', '/api/v0/cat?arg=x'))
const wider: boolean = covers(['x', 'x -r'], 'x [-r]') && restCommand('GET', '/').args.length === 2

const app = express()
app.get(
  '/files/:handle',
  capsignExpress.capsign<express.Request>({ verifier, call: 'read', fields: (req) => ({ handle: String(req.params.handle) }) }),
  (req: express.Request, res: express.Response) => {
    const g: capsign.Grant | undefined = req.capsign
    res.json({ expiry: g?.expiry, allowedBy: req.capsign?.matched ?? null })
  },
)
app.post('/api/v0/{*rest}', capsignExpress.capsign({ verifier, rpc: '/api/v0', ignore: capsign.KUBO_IGNORE, log: (r) => console.log(r.status, r.code) }))
app.get('/fs/{*rest}', capsignExpress.capsign({ verifier, call: 'convert', securityTask: true, fields: () => ({ handle: 'h' }) }))
app.get('/me', capsignExpress.capsign({ verifier, authenticateOnly: true }))

const route = new capsign.Route({ rpc: '/api/v0', ignore: capsign.KUBO_IGNORE })
const checked: capsign.Grant = verifier.checkHttp(route, { method: 'POST', target: '/api/v0/id', authorization: ['a', 'b'], fields: { size: 1 } })
const authenticated: void = verifier.authenticateHttp(route, { method: 'POST', target: '/api/v0/id', authorization: 'Bearer a.b', now: 1 })
const frozen: readonly string[] | null = checked.permissions
const task: [string, string] = capsign.parseSecurityTask('security=p:a,s:b')
const safe: string = capsign.logSafe('/a\n')
const headers: readonly (readonly [string, string])[] = capsign.REFUSAL_HEADERS

try {
  verifier.verifyToken('x')
} catch (e) {
  if (e instanceof capsign.CapsignError) {
    const code: string = e.code
    console.log(code, e.status, e.challenge, e.field, e.body, capsignExpress.CHALLENGE)
  }
}

export { maybe, matched, expiry, allowed, wider, frozen, task, safe, headers }

// Ed25519: a signer that holds the key, a verifier that holds only the public key.
const signingKey: capsign.SigningKey = capsign.SigningKey.generate()
const seedText: string = signingKey.toText()
const edSigner = new Signer(null, { signingKey: new capsign.SigningKey(seedText) })
const edPublic: capsign.PublicKey | null = edSigner.publicKey
const peerId: string = signingKey.publicKey.peerId
const edVerifier = new Verifier(null, { publicKeys: { [peerId]: signingKey.publicKey, other: peerId }, keySet: capsign.keySet({ [peerId]: peerId }) })
const served: string | null = edVerifier.keySet()
const same: boolean = edPublic !== null && edPublic.equals(new capsign.PublicKey(edPublic.toBase64url())) && edPublic.jwk('k').length > 0
app.get('/.well-known/capsign-keys.json', capsignExpress.keySet(edVerifier))

// Revocation and use limits.
const memory: capsign.MemoryStore = new capsign.MemoryStore({ leeway: 60 })
const shared: capsign.Store = new capsign.RedisStore({}, { prefix: 'app:' })
memory.revoke({ jti: 'j', expiry: 1 })
memory.revoke({ kid: 'k', before: 1 })
const size: number = memory.size
const once = new Signer('an-app-secret-of-at-least-16-bytes').issue({ jti: 'j', uses: 1 })
app.get('/once', capsignExpress.capsign({ verifier, store: shared, call: 'read' }))
void once
void size

// Fastify: the plugin, a hook per route, the grant on the request.
import Fastify = require('fastify')
import capsignFastify = require('capsign/fastify')
const fastify = Fastify.default()
fastify.register(capsignFastify.default, { verifier, store: memory })
fastify.get('/files/:handle', { onRequest: fastify.capsign({ call: 'read', fields: (req) => ({ handle: String((req.params as { handle: string }).handle) }) }) }, async (req) => {
  const g: capsign.Grant | null = req.capsign
  return { expiry: g?.expiry }
})
fastify.get('/.well-known/capsign-keys.json', fastify.capsignKeySet())

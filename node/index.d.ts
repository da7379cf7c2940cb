/**
 * capsign: scoped, short-lived, signed credentials — Filestack-compatible policies and
 * IPFS-style capability tokens — issued and verified by a native Rust core.
 *
 * Every error thrown by capsign is a `CapsignError` (test with `instanceof`) with a stable
 * `code` (see `errorCodes()`), plus `field`, `position`, `status` and `challenge`. An
 * argument of the wrong type is a `TypeError` (code `ERR_INVALID_ARG_TYPE`) naming it.
 */

/** The error every capsign check throws. */
export declare class CapsignError extends Error {
  name: 'CapsignError'
  /** One of `errorCodes()`: `malformed`, `bad_signature`, `denied`, … */
  code: string
  /** The policy field or argument at fault, if any. */
  field: string | null
  /** The byte offset in a permission, for `invalid_permission`. */
  position: number | null
  /** The HTTP status the middleware answers with (401, 403, 400 or 500). */
  status: number
  /** The matching `WWW-Authenticate` value (RFC 6750). */
  challenge: string
  /** The JSON body of the HTTP refusal: `{"error": code, "message": text}`. */
  body: string
}

/** What a credential allows (the policy fields, camelCase). */
export interface Claims {
  /** Lifetime in seconds (default 900); or give `expiry`. */
  expiresIn?: number
  /** Absolute expiry, Unix seconds. */
  expiry?: number
  /** Filestack calls allowed (`pick`, `read`, `store`, …). */
  call?: string[]
  /** The only file handle allowed. */
  handle?: string
  /** Full-match regex for source URLs. */
  url?: string
  /** Full-match regex for storage paths. */
  path?: string
  /** Full-match regex for storage containers. */
  container?: string
  /** Largest upload, in bytes. */
  maxSize?: number
  /** Smallest upload, in bytes. */
  minSize?: number
  /** Commands allowed, such as `pin add [-r] *`. */
  permissions?: string[]
  /** Not valid before, Unix seconds. */
  nbf?: number
  /** Token id, for revocation lists and audit logs. */
  jti?: string
  /** How many requests it may authorize (1 to 1,000,000; needs `jti` and a verifier with a store). */
  uses?: number
  /** The time of issue, Unix seconds (for tests; default: the clock). */
  now?: number
}

/** What a request names; every field optional. A request naming nothing only checks authenticity and time. */
export interface RequestFields {
  /** The Filestack call. */
  call?: string
  /** The file handle the request acts on. */
  handle?: string
  /** The source URL of a store-from-URL or transformation. */
  url?: string
  /** The storage path. */
  path?: string
  /** The storage container. */
  container?: string
  /** The upload size, in bytes. */
  size?: number
  /** The command: text such as `pin add -r QmX`, or a `Command`. */
  command?: string | Command
  /** The command is `<METHOD> <path>` of this HTTP request (target still encoded). */
  rest?: { method: string; target: string }
  /** The command is the RPC mapping of this HTTP request under `prefix`. */
  rpc?: { prefix: string; target: string }
  /** The time of the check, Unix seconds (for tests; default: the clock). */
  now?: number
}

/** Options for a `Signer`. */
export interface SignerOptions {
  /** Sign with this Ed25519 key instead of a secret (pass `null` as the secret). */
  signingKey?: SigningKey
  /** Key id written into every policy (1–64 characters; an Ed25519 signer's defaults to its peer ID). */
  kid?: string
  /** Accept secrets shorter than 16 bytes (never empty ones). */
  minSecretLen?: number
}

/** Options for a `Verifier`. */
export interface VerifierOptions {
  /** Secrets by `kid`, for rotation. */
  keys?: Record<string, string | Buffer>
  /** Ed25519 public keys by `kid` (a `PublicKey`, or its text: base64url, JWK or peer ID). */
  publicKeys?: Record<string, PublicKey | string>
  /** A JWK Set (`{"keys":[…]}`, each key with a `kid`) of Ed25519 public keys. */
  keySet?: string
  /** Seconds of clock tolerance, 0 to 3600 (default 0). */
  leeway?: number
  /** Accept secrets shorter than 16 bytes (never empty ones). */
  minSecretLen?: number
}

/** The JSON form of `Credentials`. */
export interface CredentialsJson {
  policy: string
  signature: string
  token: string
  expiry: number
}

/** An Ed25519 signing key (a 32-byte seed); it never prints. */
export declare class SigningKey {
  /** From a seed: 32 bytes (a `Buffer`), or its 43 characters of unpadded base64url. */
  constructor(seed: string | Buffer)
  /** A new key from the operating system's generator. */
  static generate(): SigningKey
  /** The public key. */
  get publicKey(): PublicKey
  /** The seed as 43 characters of unpadded base64url, for a key file (mode 600): secret. */
  toText(): string
  toString(): string
}

/** An Ed25519 public key. */
export declare class PublicKey {
  /** From 43 characters of unpadded base64url, a JWK (RFC 8037), or a libp2p peer ID. */
  constructor(text: string)
  /** The libp2p peer ID (`12D3KooW…`). */
  get peerId(): string
  /** The key as 43 characters of unpadded base64url. */
  toBase64url(): string
  /** The key as a JWK (RFC 8037), with `kid` if given. */
  jwk(kid?: string): string
  /** Whether `other` is the same key. */
  equals(other: PublicKey): boolean
  toString(): string
}

/** A revocation: one credential (`jti` with its `expiry`), a key's credentials issued before a time, or everything issued before a time. */
export type Revocation = { jti: string; expiry: number } | { kid: string; before: number } | { before: number }

/** What the middlewares need of a store. */
export interface Store {
  check(grant: Grant): void | Promise<void>
}

/** Revocations and use counts for one process (`check` is synchronous). */
export declare class MemoryStore implements Store {
  /** `leeway`: how long entries outlive their credentials (default 3600 seconds). */
  constructor(options?: { leeway?: number })
  /** Throws `revoked` or `used_up`, or consumes one use of the grant. */
  check(grant: Grant, options?: { now?: number }): void
  revoke(revocation: Revocation & { now?: number }): void
  /** Drops the entries whose credentials have expired. */
  sweep(options?: { now?: number }): void
  /** How many `jti` entries it holds. */
  get size(): number
}

/** A store in Redis, through node-redis (4 or 5) or ioredis: shared by every instance. */
export declare class RedisStore implements Store {
  constructor(client: unknown, options?: { prefix?: string; leeway?: number })
  /** Rejects with `revoked`, `used_up` or `unavailable` (the store did not answer), or consumes one use. */
  check(grant: Grant): Promise<void>
  /** Rejects with `unavailable` if the revocation was not recorded. */
  revoke(revocation: Revocation): Promise<void>
  get prefix(): string
  toString(): string
}

/** A JWK Set (`{"keys":[…]}`) of public keys by kid. */
export declare function keySet(publicKeys: Record<string, PublicKey | string>): string

/** A policy and signature pair, and the compact token. */
export declare class Credentials {
  private constructor()
  /** The base64 policy (URL-safe alphabet, padded). */
  get policy(): string
  /** The lowercase hex HMAC-SHA256 of the policy, or the Ed25519 signature (86 characters of base64url). */
  get signature(): string
  /** `<policy>.<signature>`. */
  get token(): string
  /** The policy's expiry, Unix seconds. */
  get expiry(): number
  toJSON(): CredentialsJson
  toString(): string
}

/** Signs policies with one key: a secret, or `options.signingKey` (and an optional `kid`). */
export declare class Signer {
  /** `secret`: a string (its UTF-8 bytes) or a `Buffer`, at least 16 bytes; `null` with `signingKey`. */
  constructor(secret: string | Buffer | null, options?: SignerOptions)
  /** The `kid` written into every policy. */
  get kid(): string | null
  /** The public key of an Ed25519 signer (`null` for a secret). */
  get publicKey(): PublicKey | null
  /** Issues credentials (default lifetime: 900 seconds). */
  issue(claims?: Claims): Credentials
  toString(): string
}

/** A verified, current policy (the core's grant: reading it never verifies again). */
export declare class Grant {
  private constructor()
  /** The decoded policy (frozen, lists too). */
  get policy(): Readonly<Record<string, number | string | readonly string[]>>
  /** The policy's expiry, Unix seconds. */
  get expiry(): number
  /** The `kid` of the key that signed it. */
  get kid(): string | null
  /** The permissions, as written (a frozen list), or `null`. */
  get permissions(): readonly string[] | null
  /** The permission that allowed the command named at verification. */
  get matched(): string | null
  /** Authorizes another request (as of the time of verification); the permission that allowed its command. */
  authorize(request?: RequestFields): string | null
  /** Whether this grant allows `command` on its own. */
  allows(command: string | Command): boolean
  toString(): string
}

/** Verifies credentials: a default secret, secrets by `kid`, and Ed25519 public keys by `kid`. */
export declare class Verifier {
  constructor(secret?: string | Buffer | null, options?: VerifierOptions)
  /** Seconds of clock tolerance. */
  get leeway(): number
  /** The JWK Set of this verifier's public keys (to serve), or `null` if it has none. */
  keySet(): string | null
  /** Verifies a policy and signature pair, then authorizes `request` (if it names anything). */
  verify(policy: string, signature: string, request?: RequestFields): Grant
  /** Verifies a compact token `<policy>.<signature>`, then authorizes `request`. */
  verifyToken(token: string, request?: RequestFields): Grant
  /**
   * Verifies an HTTP request's credentials — the `Authorization` header value and every
   * `policy` and `signature` query value — then authorizes `request`. `null` if the
   * request carries no credentials.
   */
  verifyHttp(
    authorization: string | null | undefined,
    policy: string[],
    signature: string[],
    request?: RequestFields,
  ): Grant | null
  /**
   * Checks an HTTP request against `route` in one native call. Throws the refusal (a
   * `CapsignError`: its `status`, `challenge` and `body` are the answer).
   */
  checkHttp(route: Route, request: HttpCheck): Grant
  /**
   * Verifies an HTTP request's credentials for `route` (only `method`, `target`,
   * `authorization` and `now` are read), without mapping or authorizing the request: what
   * an adapter checks before it runs the application's `fields` or `command` function.
   * Throws the refusal.
   */
  authenticateHttp(route: Route, request: Pick<HttpCheck, 'method' | 'target' | 'authorization' | 'now'>): void
  toString(): string
}

/** An HTTP request as a middleware sees it, for `Verifier.checkHttp`. */
export interface HttpCheck {
  /** The method. */
  method: string
  /** The request target as sent (path still percent-encoded, and the query). */
  target: string
  /** The `Authorization` header's value, or every value when it was given more than once. */
  authorization?: string | string[]
  /** What the request names: only these five are read. */
  fields?: Pick<RequestFields, 'handle' | 'url' | 'path' | 'container' | 'size'>
  /** The command, for a route with `perRequest`. */
  command?: string | Command
  /** A memory store to check the grant against in the same call (last, once everything else holds). */
  store?: MemoryStore
  /** The time of the check, Unix seconds (for tests; default: the clock). */
  now?: number
}

/** Options of a `Route`: name what the route needs, or say `authenticateOnly`. */
export interface RouteOptions {
  /** A Filestack call every request must be allowed (`read`, `pick`, …). */
  call?: string
  /** The command every request needs. */
  command?: string | Command
  /** The application gives each request's command. */
  perRequest?: boolean
  /** The command is `<METHOD> <path>` of the request. */
  rest?: boolean
  /** The command is the IPFS-style RPC mapping under this prefix (such as `/api/v0`). */
  rpc?: string
  /** RPC parameter names the mapping leaves out (such as `KUBO_IGNORE`). */
  ignore?: readonly string[]
  /** The application gives request fields. */
  fields?: boolean
  /** Also read Filestack's `security=p:…,s:…` path task. */
  securityTask?: boolean
  /** Only check that the credentials are genuine and current (name nothing else). */
  authenticateOnly?: boolean
}

/** What a route requires of every request; checked when it is made. */
export declare class Route {
  constructor(options: RouteOptions)
}

/** A compiled permission such as `pin add [-r] *`. */
export declare class Permission {
  constructor(text: string)
  /** The permission as written. */
  get source(): string
  /** Whether it allows `command`. */
  matches(command: string | Command): boolean
  /** Whether `other` is the same permission (however it was spaced or quoted). */
  equals(other: Permission): boolean
  /** The canonical text. */
  toString(): string
}

/** One flag of a command: its name with dashes, and its value (absent for a bare flag). */
export interface Flag {
  name: string
  value?: string
}

/** A validated request command. */
export declare class Command {
  constructor(text: string)
  /** Builds a command from positionals and flags (`{"--name": "value" or null}`). */
  static build(args: string[], flags?: Record<string, string | null>): Command
  /** The positionals, in order. */
  get args(): string[]
  /** The flags, sorted by name. */
  get flags(): Flag[]
  /** Whether `other` is the same command. */
  equals(other: Command): boolean
  /** The canonical text. */
  toString(): string
}

/** The core's limits. */
export interface Limits {
  maxPolicyLen: number
  maxTokenLen: number
  maxPermissions: number
  maxPermissionLen: number
  maxPermissionTokens: number
  maxCommandLen: number
  maxCommandTokens: number
  maxJsonDepth: number
  minSecretLen: number
  maxKidLen: number
  maxJtiLen: number
  maxLeeway: number
  maxInteger: number
  defaultLifetime: number
}

/** Whether every command `b` allows, `a` allows too (each one permission or a list). */
export declare function covers(a: string | string[], b: string | string[]): boolean
/** `<METHOD> <path>` for a REST request (the target still percent-encoded). */
export declare function restCommand(method: string, target: string): Command
/** The command of an RPC request under `prefix` (such as `/api/v0`). */
export declare function rpcCommand(prefix: string, target: string): Command
/** A new random secret: 32 random bytes as 43 URL-safe base64 characters. */
export declare function generateSecret(): string
/** The JSON of a policy or token, **not verified**: for inspection only. */
export declare function decodeUnverified(policyOrToken: string): string
/** Reads Filestack's `security=p:<policy>,s:<signature>` task (also `policy:`/`signature:`, either order). */
export declare function parseSecurityTask(task: string): [policy: string, signature: string]
/** Text from a request made safe for a log line (quoted, control characters escaped). */
export declare function logSafe(text: string): string
/** Kubo's options that only shape transport and output: the RPC `ignore` preset. */
export declare const KUBO_IGNORE: readonly string[]
/** The headers every refusal carries besides `WWW-Authenticate`. */
export declare const REFUSAL_HEADERS: readonly (readonly [name: string, value: string])[]
/** Every stable error code. */
export declare function errorCodes(): string[]
/** The `WWW-Authenticate` value for a request without credentials. */
export declare function challenge(): string
/** The core's limits, by name. */
export declare function limits(): Limits

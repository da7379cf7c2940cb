import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CapsignError, Command, Grant, RequestFields, Store, Verifier } from './index'

/** What a refusal looks like to `log`. Never contains a token or secret. */
export interface Refusal {
  status: number
  code: string
  method: string | undefined
  path: string
}

/** Options of the `capsign()` middleware factory. */
export interface CapsignOptions<Req = IncomingMessage> {
  /** The verifier (its secret or keys by kid). */
  verifier: Verifier
  /** A Filestack call the request must be allowed (`read`, `pick`, …). */
  call?: string
  /** The command the request needs: fixed, or a function of the request. */
  command?: string | Command | ((req: Req) => string | Command)
  /** The command is `<METHOD> <path>` of the request. */
  rest?: boolean
  /** The command is the IPFS-style RPC mapping under this prefix (such as `/api/v0`). */
  rpc?: string
  /** RPC parameter names the mapping leaves out (`KUBO_IGNORE` for a Kubo-like API). */
  ignore?: readonly string[]
  /** Fields of the request to check against the policy: only these five are read. */
  fields?: (req: Req) => Pick<RequestFields, 'handle' | 'url' | 'path' | 'container' | 'size'>
  /** Also read Filestack's `security=p:…,s:…` path task. */
  securityTask?: boolean
  /** Only check that the credentials are genuine and current (name nothing else). */
  authenticateOnly?: boolean
  /** Called for every refusal, for audit logs. */
  log?: (refusal: Refusal) => void
  /** Revocation and use limits, checked after everything else (`MemoryStore`, or `RedisStore` shared by every instance). */
  store?: Store
}

/** The request after the middleware let it through. */
export interface CapsignRequest {
  /** The verified grant; `.matched` is the permission that allowed the command. */
  capsign: Grant
}

/**
 * A middleware that verifies every request; works with Express 4 and 5. Throws at once if
 * the options name nothing (and do not say `authenticateOnly`).
 */
export declare function capsign<Req extends IncomingMessage = IncomingMessage>(
  options: CapsignOptions<Req>,
): (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * A handler serving the verifier's public keys as a JWK Set (`application/jwk-set+json`).
 * Throws at once for a verifier without public keys.
 */
export declare function keySet(verifier: Verifier): (req: IncomingMessage, res: ServerResponse) => void

/** Writes the core's refusal for `error` (status, headers, body), and logs it. */
export declare function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  error: CapsignError,
  log?: (refusal: Refusal) => void,
): void

/** The request's `Authorization` header: its value, or every value when it was given more than once. */
export declare function authorization(req: IncomingMessage): string | string[] | undefined

/** The `WWW-Authenticate` value sent when a request carries no credentials. */
export declare const CHALLENGE: string

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified grant (set by capsign/express). */
      capsign?: Grant
    }
  }
}

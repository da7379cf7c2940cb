import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Command, Grant, RequestFields, Verifier } from './index'

/** What a refusal looks like to `log`. Never contains a token or secret. */
export interface Refusal {
  status: number
  code: string
  method: string | undefined
  path: string
}

/** Options of the `capsign()` middleware factory. */
export interface CapsignOptions<Req extends IncomingMessage = IncomingMessage> {
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
  /** Fields of the request to check against the policy (`handle`, `path`, `size`, …). */
  fields?: (req: Req) => Omit<RequestFields, 'call' | 'command' | 'now'>
  /** Called for every refusal, for audit logs. */
  log?: (refusal: Refusal) => void
}

/** The request after the middleware let it through. */
export interface CapsignRequest {
  /** The verified grant; `.matched` is the permission that allowed the command. */
  capsign: Grant
}

/** A middleware that verifies every request; works with Express 4 and 5. */
export declare function capsign<Req extends IncomingMessage = IncomingMessage>(
  options: CapsignOptions<Req>,
): (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void

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

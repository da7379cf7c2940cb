import type { FastifyPluginCallback, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Grant, Store, Verifier } from './index'
import type { CapsignOptions } from './express'

/** The plugin's options: the verifier (and store) every `app.capsign()` hook uses by default. */
export interface CapsignPluginOptions {
  verifier: Verifier
  store?: Store
}

/** A hook's options: those of capsign/express, with `fields` and `command` functions of the Fastify request. */
export type CapsignRouteOptions = Omit<CapsignOptions<FastifyRequest>, 'verifier'> & { verifier?: Verifier }

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A hook that verifies every request of the route, for `onRequest` (before the body is
     * read) or `preHandler`; throws at once if the options name nothing.
     */
    capsign(options: CapsignRouteOptions): onRequestHookHandler
    /** A handler serving the verifier's public keys as a JWK Set (throws at once without public keys). */
    capsignKeySet(): (request: FastifyRequest, reply: FastifyReply) => Promise<Buffer>
  }
  interface FastifyRequest {
    /** The verified grant (set by capsign/fastify). */
    capsign: Grant | null
  }
}

declare const capsignPlugin: FastifyPluginCallback<CapsignPluginOptions>
export default capsignPlugin
export { capsignPlugin as capsign }

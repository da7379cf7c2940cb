'use strict'
// Shared helpers for the Node suite.

const fs = require('node:fs')
const path = require('node:path')

const VECTORS = path.resolve(__dirname, '..', 'vectors')
const SECRET = 'node-test-secret-0123456789'
const NOW = 1_700_000_000

function loadVectors(name) {
  const vectors = JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'))
  if (!Array.isArray(vectors) || vectors.length === 0) throw new Error(`${name} is empty`)
  return vectors
}

/** snake_case keys of the vectors' claims and requests, as the Node API names them. */
function camel(object) {
  const out = {}
  for (const [key, value] of Object.entries(object ?? {})) {
    out[key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = value
  }
  return out
}

module.exports = { loadVectors, camel, SECRET, NOW, VECTORS }

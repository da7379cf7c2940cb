'use strict'
// Runs on `npm install`: when no prebuilt addon for this platform sits next to index.js,
// build it from the Rust sources of this checkout (needs the Rust toolchain), and put it
// where the generated loader (index.js) looks for it.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const here = __dirname

function loads() {
  const probe = spawnSync(process.execPath, ['-e', "require('./index.js')"], { cwd: here, stdio: 'ignore' })
  return probe.status === 0
}

function platformName() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    const musl = report ? !report.header.glibcVersionRuntime : false
    return `linux-${arch}-${musl ? 'musl' : 'gnu'}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function libraryName() {
  if (process.platform === 'win32') return 'capsign_node.dll'
  if (process.platform === 'darwin') return 'libcapsign_node.dylib'
  return 'libcapsign_node.so'
}

function main() {
  if (process.env.CAPSIGN_SKIP_BUILD === '1' || loads()) return
  const workspace = path.resolve(here, '..')
  if (!fs.existsSync(path.join(workspace, 'Cargo.toml')) || !fs.existsSync(path.join(here, 'src', 'lib.rs'))) {
    console.error('capsign: no prebuilt addon for this platform and no Rust sources to build one from')
    process.exit(1)
  }
  console.error(`capsign: building the native addon for ${platformName()} (cargo build --release)…`)
  const built = spawnSync('cargo', ['build', '--release', '--locked', '-p', 'capsign-node'], {
    cwd: workspace,
    stdio: 'inherit',
    env: process.env,
  })
  if (built.error || built.status !== 0) {
    console.error('capsign: the build failed; is the Rust toolchain (cargo) installed? https://rustup.rs')
    process.exit(1)
  }
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(workspace, process.env.CARGO_TARGET_DIR)
    : path.join(workspace, 'target')
  fs.copyFileSync(path.join(targetDir, 'release', libraryName()), path.join(here, `capsign.${platformName()}.node`))
  if (!loads()) {
    console.error('capsign: the addon was built but does not load')
    process.exit(1)
  }
}

main()

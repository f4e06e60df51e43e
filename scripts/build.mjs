#!/usr/bin/env node
// Builds dist/: tsc compiles src (JS, .d.ts, source maps with the sources inlined, since src is not shipped), then
// every file the code reads at run time next to itself (eta views, the Console's stylesheet, data files) is copied
// to the same place under dist, so `import.meta.url`-relative paths find them in both layouts.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (r.status !== 0) process.exit(r.status ?? 1)

let copied = 0
function copyAssets (dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) copyAssets(p)
    else if (!p.endsWith('.ts')) {
      cpSync(p, join(dist, relative(src, p)))
      copied++
    }
  }
}
copyAssets(src)
console.log(`dist/ built (${copied} asset files copied)`)

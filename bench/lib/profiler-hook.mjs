import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

/**
 * Loaded into the server only by `BENCH_PROFILE=1 npm run bench` (`node --import ./bench/lib/profiler-hook.mjs`; plain JavaScript, so it loads into the built server), so
 * each measured line gets a CPU profile of its own instead of one profile of the whole run: SIGUSR2 starts V8's
 * sampling profiler, the next SIGUSR2 stops it and writes `<BENCH_PROFILE_DIR>/<n>.cpuprofile`, then `<n>.done`,
 * which the bench waits for. The server's own code knows nothing of it.
 */
const dir = process.env.BENCH_PROFILE_DIR
if (dir) {
  const session = new Session()
  session.connect()
  let running = false
  let n = 0
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true
        await session.post('Profiler.enable')
        // 200 µs between samples: enough samples over a 5 s line without the profiler becoming the load.
        await session.post('Profiler.setSamplingInterval', { interval: 200 })
        await session.post('Profiler.start')
        writeFileSync(join(dir, `${n}.started`), '')
        return
      }
      running = false
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(join(dir, `${n}.cpuprofile`), JSON.stringify(profile))
      writeFileSync(join(dir, `${n}.done`), '')
      n++
    })()
  })
}

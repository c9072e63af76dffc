// Hashes a share in a worker thread (create-torrent reads the files and SHA-1s every piece), so
// the thread that answers the UI stays free: measured by `npm run bench` ("UI lag"), hashing
// 2 GiB on the main thread put its event loop's p99 over the 50 ms target. Posts progress, then
// the .torrent bytes or an error message (messages typed in create.ts).
// Plain JavaScript: a worker does not inherit the CLI's TypeScript loader, and the desktop app
// runs this file as it is (bundled by scripts/build-electron.mjs).
import { parentPort, workerData } from 'node:worker_threads'
import createTorrent from 'create-torrent'

const { path, opts } = workerData
let last = 0
createTorrent(
  path,
  {
    ...opts,
    onProgress: (hashed, total) => {
      // At most ~10 messages a second: progress is for a person watching a bar.
      const now = Date.now()
      if (now - last < 100 && hashed < total) return
      last = now
      parentPort.postMessage({ type: 'progress', hashed, total })
    },
  },
  (err, torrent) => {
    if (err) parentPort.postMessage({ type: 'error', message: err.message })
    else parentPort.postMessage({ type: 'done', torrent: new Uint8Array(torrent) })
  },
)

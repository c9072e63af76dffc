/**
 * The control channel between a running node (`coterie run`, or the desktop app) and other
 * commands on the same profile: newline-delimited JSON over a Unix socket inside the profile
 * directory (owner-only, 0700, so only the profile's owner can connect), or a named pipe on
 * Windows. A command changes the profile on disk under its lock, then tells the node to reload;
 * `status` asks the node for live state. Every message and every wait is bounded.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'

export const MAX_CONTROL_MESSAGE_BYTES = 4 * 1024 * 1024 // a status with many torrents and peers
export const CONTROL_TIMEOUT_MS = 5_000

/** `members`: each group's members' delivery (runtime/delivery.ts). */
export type ControlMethod = 'ping' | 'reload' | 'status' | 'retry' | 'members'
const METHODS: readonly ControlMethod[] = ['ping', 'reload', 'status', 'retry', 'members']
export interface ControlRequest {
  readonly method: ControlMethod
  /** `retry`: the one torrent to retry (hex infohash); absent retries every download. */
  readonly infoHash?: string
}
export type ControlResponse =
  { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string }

export function controlPath(profileDir: string, platform = process.platform): string {
  if (platform === 'win32')
    return `\\\\.\\pipe\\coterie-${createHash('sha256').update(profileDir).digest('hex').slice(0, 16)}`
  return join(profileDir, 'control.sock')
}

export type ControlHandler = (method: ControlMethod, request: ControlRequest) => Promise<unknown>

/** Serves the control channel; a stale socket left by a killed node is replaced. */
export async function serveControl(profileDir: string, handle: ControlHandler): Promise<Server> {
  const path = controlPath(profileDir)
  if (await isNodeRunning(profileDir)) throw new Error(`another node is already running on this profile (${path})`)
  if (process.platform !== 'win32') rmSync(path, { force: true })
  const server = createServer((socket) => {
    socket.setTimeout(CONTROL_TIMEOUT_MS, () => socket.destroy())
    readLines(socket, async (line) => {
      let response: ControlResponse
      try {
        const req = JSON.parse(line) as ControlRequest
        if (!METHODS.includes(req.method)) throw new Error(`unknown method ${String(req.method)}`)
        if (req.infoHash !== undefined && (typeof req.infoHash !== 'string' || !/^[0-9a-f]{40}$/.test(req.infoHash)))
          throw new Error('infoHash must be 40 lower-case hex digits')
        response = { ok: true, result: await handle(req.method, req) }
      } catch (e) {
        response = { ok: false, error: e instanceof Error ? e.message : String(e) }
      }
      if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => resolve())
  })
  return server
}

/** Sends one request to the running node; undefined when no node is running on this profile. */
export async function callControl(
  profileDir: string,
  method: ControlMethod,
  params: Omit<ControlRequest, 'method'> = {},
): Promise<ControlResponse | undefined> {
  const path = controlPath(profileDir)
  return new Promise((resolve, reject) => {
    const socket = createConnection(path)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the running node did not answer within ${CONTROL_TIMEOUT_MS / 1000} s`))
    }, CONTROL_TIMEOUT_MS)
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      // No listener: no node is running (a socket file a killed node left behind counts as none).
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') resolve(undefined)
      else reject(e)
    })
    socket.once('connect', () => socket.write(JSON.stringify({ ...params, method } satisfies ControlRequest) + '\n'))
    readLines(socket, (line) => {
      clearTimeout(timer)
      socket.end()
      try {
        resolve(JSON.parse(line) as ControlResponse)
      } catch {
        reject(new Error('the running node sent an unreadable answer'))
      }
    })
  })
}

export async function isNodeRunning(profileDir: string): Promise<boolean> {
  try {
    return (await callControl(profileDir, 'ping')) !== undefined
  } catch {
    return false
  }
}

function readLines(socket: Socket, onLine: (line: string) => void | Promise<void>): void {
  let buffered = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    buffered += chunk
    if (buffered.length > MAX_CONTROL_MESSAGE_BYTES) {
      socket.destroy()
      return
    }
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      void onLine(line)
    }
  })
}

// The preload's window.coterie, in plain Node: the same createApi the preload exposes, over an
// in-process IPC pair wired like ipcMain.handle/webContents.send to a real backend. Plus the
// bundle a sandboxed preload needs: one CommonJS file that requires nothing but 'electron'.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { invokeChannels, type InvokeChannel } from '../../shared/ipc/contract.js'
import { IPC_EVENT, ipcChannel } from '../../shared/ipc/electron.js'
import { startTestApp } from '../core/testing/app.js'
import { createApi, type IpcTransport } from './api.js'
import { assertOk, assertErr } from '../core/testing/assert-result.js'

describe('preload: window.coterie', () => {
  it('invokes every channel through its own IPC channel and delivers events to subscribers only', async (t) => {
    const app = await startTestApp(t, 'preload')
    const handlers = new Map<string, (request: unknown) => Promise<unknown>>()
    for (const c of Object.keys(invokeChannels) as InvokeChannel[])
      handlers.set(ipcChannel(c), (r) => app.backend.dispatch(c, r))
    const renderer = new EventEmitter()
    const transport: IpcTransport = {
      invoke: (channel, request) => handlers.get(channel)!(request),
      on: (channel, l) => renderer.on(channel, l),
      removeListener: (channel, l) => renderer.removeListener(channel, l),
    }
    app.backend.on((event, payload) => renderer.emit(IPC_EVENT, {}, event, payload))
    const api = createApi(transport, () => '/picked')

    const id = await api.invoke('identity.get', {})
    assertOk(id)
    assert.ok(id.value.key.startsWith('coterie1'), id.value.key)
    const unknown = await api.invoke('nope' as InvokeChannel, {} as never)
    assertErr(unknown, 'unknown-channel', 'refused before it reaches IPC')
    const bad = await api.invoke('friends.add', { key: 1 } as never)
    assertErr(bad, 'bad-request', 'main validates what the page sends')

    const revisions: number[] = []
    const off = api.on('profile.changed', (p) => void revisions.push(p.revision))
    await api.invoke('identity.setName', { name: 'Pre' })
    await app.waitFor('profile.changed', () => true)
    await new Promise((r) => setImmediate(r))
    assert.ok(revisions.length >= 1)
    off()
    const n = revisions.length
    await api.invoke('identity.setName', { name: 'Load' })
    await app.waitFor('profile.changed', (p) => p.revision > revisions[n - 1]!)
    assert.equal(revisions.length, n, 'no event after unsubscribing')
    assert.throws(() => api.on('nope' as never, () => {}))
    assert.equal(api.pathForFile!({} as File), '/picked')
  })

  it('exposes exactly the contract: invoke, on and pathForFile, nothing of IPC or Node', () => {
    const ipc = { invoke: async () => undefined, on: () => undefined, removeListener: () => undefined }
    assert.deepEqual(Object.keys(createApi(ipc, () => '')).sort(), ['invoke', 'on', 'pathForFile'])
  })

  it('is bundled into one CommonJS file that requires only electron', async () => {
    const { buildElectron } = (await import(new URL('../../scripts/build-electron.mjs', import.meta.url).href)) as {
      buildElectron(o: { quiet: boolean }): Promise<string>
    }
    const out = await buildElectron({ quiet: true })
    const code = readFileSync(`${out}/preload.cjs`, 'utf8')
    const required = [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    assert.deepEqual([...new Set(required)], ['electron'])
    assert.ok(!/^\s*(import|export)\s/m.test(code), 'no ES module syntax')
    assert.match(code, /exposeInMainWorld\)?\(\s*["']coterie["']/)
  })
})

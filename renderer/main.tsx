/** Start: pick the transport, wire events into the stores, load, render. */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { chooseTransport } from './ipc/index.js'
import { setApi } from './store/api.js'
import { useConnection } from './store/connection.js'
import { connectStores, loadAll } from './store/events.js'
import './styles.css'

const root = createRoot(document.getElementById('root')!)

const transport = chooseTransport((state) => {
  useConnection.setState({ state })
  // First connection, and every reconnection: events may have been missed while away.
  if (state === 'open') void loadAll()
})

if (transport.kind === 'no-token') {
  root.render(
    <StrictMode>
      <main className="main lone">
        <h1>Coterie</h1>
        <p>
          This page needs the address that <code>coterie run --ui</code> printed (it ends with <code>#token=…</code>).
          Open that address again; it is valid while Coterie runs.
        </p>
      </main>
    </StrictMode>,
  )
} else {
  setApi(transport.api)
  connectStores(transport.api)
  if (transport.kind === 'electron') {
    useConnection.setState({ state: 'open' })
    void loadAll()
  }
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}

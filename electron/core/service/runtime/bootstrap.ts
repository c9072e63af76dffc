/** Public mainline DHT bootstrap nodes: where private topics are announced by default (CLI and app). */
export const DEFAULT_DHT_BOOTSTRAP: readonly string[] = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
]

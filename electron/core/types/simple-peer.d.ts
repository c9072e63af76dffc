// The WebRTC peer class bittorrent-tracker makes its WebSocket-tracker peers from (simple-peer's
// lite build). Only the WebRTC gate test imports it, to observe what crosses the data channels.

declare module '@thaunknown/simple-peer/lite.js' {
  const Peer: { prototype: object; config: { iceServers: unknown[] } }
  export default Peer
}

// simple-peer imports these names; leaving them undefined makes it report no WebRTC support,
// so webtorrent never tries a WebRTC transport and never loads node-datachannel.
export const RTCPeerConnection = undefined
export const RTCSessionDescription = undefined
export const RTCIceCandidate = undefined
export default {}

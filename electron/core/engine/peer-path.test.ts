// How a peer is reached, from ICE's selected candidate pair (the WebRTC case is also checked end to
// end in webrtc-gate.test.ts, where loopback host candidates read as direct).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { pathOfCandidates } from './peer-path.js'

describe('peer path from ICE candidate types', () => {
  it('a relayed end is a relay, else a reflexive end a punched hole, else direct', () => {
    assert.equal(pathOfCandidates('host', 'host'), 'direct')
    assert.equal(pathOfCandidates('srflx', 'host'), 'holepunch')
    assert.equal(pathOfCandidates('host', 'prflx'), 'holepunch')
    assert.equal(pathOfCandidates('srflx', 'relay'), 'relay')
    assert.equal(pathOfCandidates('relay', 'host'), 'relay')
    assert.equal(pathOfCandidates(undefined, undefined), 'direct', 'no pair read: nothing claimed')
  })
})

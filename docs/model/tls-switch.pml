/*
 * The TLS switch and its channel binding (docs/PROTOCOL.md §5.6.2; electron/core/gate/tls-switch.ts,
 * electron/core/protocol/tls-binding.ts) against an attacker that owns the network, for SPIN 6.5.
 *
 *   after the handshake (handshake.pml), I and R share `session`, which the attacker cannot compute
 *   (that model's KEYS property). Each moves its side of the connection into TLS 1.3; the attacker
 *   decides what TLS session each ends up in: the one TLS session between I and R (it forwards the
 *   TLS bytes and learns no TLS key), or a TLS session of its own toward each side (it terminates
 *   TLS: it knows those keys and exporters).
 *   each side:  send mac(own role, x) inside TLS; read the peer's first MAC; check it is
 *               mac(peer's role, x), x = the exporter of ITS OWN TLS session; only then send
 *               BitTorrent bytes (blocks, control messages) into TLS.
 *   mac(r, x) = HMAC(kb, [.., r, x]), kb = HKDF(session, th): the attacker cannot make one; it can
 *   only replay MACs it read inside a TLS session whose keys it holds.
 *
 * Properties (assertions):
 *   T1  a side sends BitTorrent bytes only into a TLS session whose keys the attacker does not hold
 *       (a terminating relay never reads a block or a control message);
 *   T2  a side that accepted the binding is in the same TLS session as its honest peer.
 * Broken variants (scripts/verify.mjs requires a counterexample for each):
 *   NO_BINDING    the MAC is not checked: data goes to a terminating relay;
 *   NO_ROLE       the MAC has no role: the relay reflects a side's own MAC back to it;
 *   SEND_EARLY    data is sent before the peer's MAC is checked.
 * Witness WITNESS_BOUND: both sides bind through a forwarding attacker (the run is not vacuous).
 *
 *   spin -a tls-switch.pml && gcc -O1 -o pan pan.c && ./pan          (0 errors)
 *   spin -a -DNO_ROLE tls-switch.pml && gcc -O1 -o pan pan.c && ./pan && spin -t -p tls-switch.pml
 */

#define I 0
#define R 1
#define PEER(i) (1 - (i))

/* TLS sessions: 1 is I-R (forwarded), 2 is I-attacker, 3 is attacker-R. */
#define SHARED 1
#define WITH_I 2
#define WITH_R 3
#define KNOWN(s) ((s) == WITH_I || (s) == WITH_R)

#ifdef NO_ROLE
#define MAC(r, s) (s)
#else
#define MAC(r, s) ((r) * 4 + (s))
#endif
#define NMAC 8

byte tls[2];          /* the TLS session each side is in, 0 before TLS */
byte sentMac[2];      /* the MAC each side sent, 0 before */
bool seen[NMAC];      /* MACs the attacker read (inside a TLS session it holds the keys of) */
bool bound[2];
bool sentData[2];

/* What a side receives as the peer's MAC: the peer's own if they share the forwarded TLS session
   (the attacker cannot read or alter it), else whatever the attacker chooses among those it read,
   or garbage (0). */
inline receive_mac(i, got) {
  if
  :: tls[i] == SHARED && tls[PEER(i)] == SHARED && sentMac[PEER(i)] != 0 -> got = sentMac[PEER(i)]
  :: KNOWN(tls[i]) ->
     got = 0;
     k = 0;
     do
     :: k < NMAC && seen[k] -> got = k; break
     :: k < NMAC -> k++
     :: k >= NMAC -> break
     od
  fi
}

inline send_data(i) {
  sentData[i] = true;
  printf("MSG side %d sends BitTorrent bytes into TLS session %d\n", i, tls[i]);
  assert(!KNOWN(tls[i]))   /* T1: BitTorrent bytes sent into a TLS session the attacker holds */
}

proctype Side(byte i) {
  byte got, k;
  /* TLS: the attacker picks the session (forwarded, or its own toward this side) */
  if
  :: tls[i] = SHARED
  :: tls[i] = (i == I -> WITH_I : WITH_R)
  fi;
  /* the binding MAC, first inside TLS */
  sentMac[i] = MAC(i, tls[i]);
  if
  :: KNOWN(tls[i]) -> seen[sentMac[i]] = true
  :: else -> skip
  fi;
  printf("MSG side %d in TLS session %d sends mac %d\n", i, tls[i], sentMac[i]);
#ifdef SEND_EARLY
  send_data(i);
#endif
  /* waits for the peer's MAC; in a TLS session with no other end it waits for ever (the deadline
     closes the connection): a valid end state */
end_waiting:
  receive_mac(i, got);
#ifndef NO_BINDING
  if
  :: got != MAC(PEER(i), tls[i]) ->
     printf("MSG side %d closes: mac %d is not the peer's\n", i, got);
     goto end_closed
  :: else -> skip
  fi;
#endif
  bound[i] = true;
  printf("MSG side %d bound with mac %d\n", i, got);
  assert(tls[i] == SHARED && tls[PEER(i)] == SHARED)  /* T2: bound outside the TLS session of its honest peer */
#ifndef SEND_EARLY
  ;
  send_data(i)
#endif
  ;
end_closed:
  skip
}

init {
  atomic {
    run Side(I);
    run Side(R)
  }
}

#ifdef WITNESS_BOUND
active proctype witness() {
  (sentData[I] && sentData[R]) -> assert(false) /* WITNESS: both sides bound and sent BitTorrent bytes */
}
#endif

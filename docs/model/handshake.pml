/*
 * Coterie closed-swarm handshake (electron/core/protocol/handshake.ts, session.ts,
 * certificate.ts, signing.ts) against an active Dolev-Yao attacker, for SPIN 6.5.
 *
 *   I -> R  hello {nI, eI}          R -> I  hello {nR, eR}        (BEP 10 extended handshake)
 *   th = H(infohash, nI, eI, nR, eR);  kIR, kRI, session = HKDF(DH(eI, eR), salt = th)
 *   I -> R  proof AEAD(kIR, aad = th, {cert_I, Sign(I, ["coterie", 1, "initiator", th || H(cert_I)])})
 *   R: open, verify cert (swarm, expiry) and signature -> authorize I, THEN
 *   R -> I  proof AEAD(kRI, aad = th, {cert_R, Sign(R, [..., "responder", th || H(cert_R)])})
 *           (or refuse{code}: R's certificate stays hidden)
 *   I: open, verify -> authorize R, send accept.   Either side re-checks expiry later.
 *
 * Check one configuration by hand (scripts/verify.mjs runs them all; docs/MODEL.md explains):
 *   spin -a -DINSIDER handshake.pml && gcc -O2 -DNFAIR=3 -o pan pan.c && ./pan -a -m10000
 * Read a counterexample (same -D flags as the run that wrote handshake.pml.trail):
 *   spin -T -t -DINSIDER -DNO_ROLE_LABEL handshake.pml | grep MSG     (the messages)
 *   spin -T -t -p -g -DINSIDER -DNO_ROLE_LABEL handshake.pml           (every step and variable)
 */
#include "terms.pml"

/* ---------------------------------------------------------------- state */
byte now;            /* the clock: 0 .. MAXT, only increases */
byte phase[NI];      /* WAIT, KEYED, SENT */
short th[NI];        /* transcript of each instance, 0 until its peer hello arrived */
byte verdict[NI];    /* PENDING, AUTH, REFUSED, DROPPED: does instance i upload to its peer? */
byte pmember[NI];    /* member key the peer was authorized as (kept after a drop) */
byte pexp[NI];       /* expiry of the certificate the peer was authorized with (re-check) */

/*
 * Names for the trail. SPIN numbers mtype names 1, 2, 3... in declaration order when each
 * declaration holds one name, so printf("%e", x + offset) prints a name without branching.
 */
mtype = { I1 }; mtype = { R1 }; mtype = { I2 }; mtype = { R2 }; mtype = { Eve };  /* 1..5 */
mtype = { A }; mtype = { B }; mtype = { E };                                       /* 6..8 */
mtype = { initiator }; mtype = { responder }; mtype = { no_role };                 /* 9..11 */
mtype = { cert_A }; mtype = { cert_B }; mtype = { cert_E }; mtype = { cert_E_rewritten }; /* 12..15 */
mtype = { reflected }; mtype = { unexpected_message }; mtype = { decrypt_failed };
mtype = { bad_certificate_signature }; mtype = { wrong_swarm }; mtype = { expired };
mtype = { bad_proof_signature }; mtype = { malformed };                             /* 16..23 */
mtype = { kIR }; mtype = { kRI };                                                   /* 24..25 */
mtype = { HELLO }; mtype = { PROOF }; mtype = { JUNK };                             /* messages */

#define N_INST(i)   ((i) + 1)
#define N_HELLO(h)  (h)
#define N_MEMBER(m) ((m) + 5)
#define N_ROLE(r)   ((r) + 8)
#define N_CERT(c)   ((c) + 11)
#define N_REASON(x) ((x) + 15)
#define N_KEY(d)    ((d) + 23)

/* reason codes of refuse{code} (shared/protocol-codes.ts) */
#define R_REFLECTED 1
#define R_UNEXPECTED 2
#define R_DECRYPT 3
#define R_BAD_CERT_SIG 4
#define R_WRONG_SWARM 5
#define R_EXPIRED 6
#define R_BAD_PROOF_SIG 7
#define R_MALFORMED 8

inline pth(t) {
  if
  :: TH_NI(t) == TH_EI(t) && TH_NR(t) == TH_ER(t) -> printf("th[%e,%e]", N_HELLO(TH_NI(t)), N_HELLO(TH_NR(t)))
  :: else -> printf("th[n:%e e:%e, n:%e e:%e]", N_HELLO(TH_NI(t)), N_HELLO(TH_EI(t)), N_HELLO(TH_NR(t)), N_HELLO(TH_ER(t)))
  fi
}
/* AEAD box sealed by a `dir` (INIT: kIR, RESP: kRI) for transcript t, holding cert c and
   signature (m, r, st) */
inline pproof(dir, t, c, m, r, st) {
  printf("proof box(%e of ", N_KEY(dir)); pth(t); printf(") {%e, sig(%e, %e, ", N_CERT(c), N_MEMBER(m), N_ROLE(r));
  if
  :: st == 0 -> printf("no th")
  :: else -> pth(st)
  fi;
  printf(")}")
}

/*
 * The network is the attacker: one message in flight, addressed by the attacker to one honest
 * instance. Fields: to, kind, then
 *   HELLO: nonce, ephemeral key (the other fields 0)
 *   PROOF: box direction (role of the sealer: kIR is INIT, kRI is RESP), 0, box transcript (key
 *          and aad), cert, signature (signer, role, th, cert), and a ghost field: which honest
 *          instance made that signature (0 = the attacker made it), read only by assertion P2.
 *   JUNK:  anything malformed or out of order (noproof, a stray accept/refuse, garbage).
 * Every message an honest instance sends is visible to the attacker: its hello from the start,
 * its proof box as soon as phase[i] == SENT (the attacker reads them from these globals).
 */
chan net = [1] of { byte, mtype, byte, byte, short, byte, byte, byte, short, byte, byte };

/* ---------------------------------------------------------------- the honest state machine */

/* Send own proof. P3: a responder shows its certificate only to a peer it has authorized. */
inline send_proof(i) {
  phase[i] = SENT;
  printf("MSG %e -> net: ", N_INST(i));
  pproof(ROLE(i), th[i], CERTOF(OWNER(i)), OWNER(i), SROLE(i), STH(i));
  printf("\n");
  if
  :: ROLE(i) == RESP ->
     assert(verdict[i] == AUTH);               /* P3: responder proves only after verifying the initiator */
     assert(!KK(th[i]) || pmember[i] == ME)    /* P3: responder certificate readable only by the peer it authorized */
  :: else -> skip
  fi
}

inline refuse(i, why) {
  verdict[i] = REFUSED;
  printf("MSG %e -> net: refuse %e\n", N_INST(i), N_REASON(why))
}

/* P1 for an authorized honest member m: m's certificate is valid now, m's key holder ran the
   other role of THIS transcript, and if that was the responder, it had authorized us first (the
   responder proves last).
   Key secrecy: a session that ends authorized between two honest members has keys (kIR, kRI,
   session) the attacker cannot compute, even though it relayed every message. */
inline check_honest_peer(i) {
  k = 0;
  do
  :: k < NI ->
     if
     :: OWNER(k) == pmember[i] && ROLE(k) == PEER(i) && phase[k] == SENT && th[k] == th[i] -> found = k + 1
     :: else -> skip
     fi;
     k++
  :: else -> break
  od;
  assert(now < CEXP(CERTOF(pmember[i])));  /* P1: member authorized after its certificate expired */
  assert(found != 0);          /* P1: authorized as honest member m, but m did not run the other side of this transcript */
  assert(ROLE(i) == RESP || found == 0 || pmember[found - 1] == OWNER(i)); /* P1: responder had not authorized the initiator */
  assert(!KK(th[i]))           /* KEYS: attacker knows the session keys of an honest-honest session */
}

/* Authorize the peer of instance i, then check P2, P1 and key secrecy at that very moment. */
inline authorize(i, c, sorig) {
  verdict[i] = AUTH;
  pmember[i] = CMEMBER(c);
  pexp[i] = CEXP(c);
  printf("MSG %e AUTHORIZES its peer as member %e on ", N_INST(i), N_MEMBER(pmember[i]));
  pth(th[i]); printf(" at t=%d\n", now);
  /* P2: a signature made by an honest instance is accepted only in that instance's own
     session (same transcript) and in the opposite role: no replay, reflection or relay. */
  if
  :: sorig != 0 -> assert(th[sorig - 1] == th[i] && ROLE(sorig - 1) == PEER(i)) /* P2: proof accepted outside its own session or role */
  :: else -> skip
  fi;
  if
  :: pmember[i] == ME ->
     /* P1 (attacker): only under its own key, and only while it holds a certificate that this
        swarm really issued (cert_E) and that has not expired. Never for OUTSIDER or FORMER;
        for INSIDER, not after the tick. */
     assert(E_SWARM == THIS && now < E_EXP) /* P1: attacker authorized without a valid certificate of this swarm */
  :: else -> check_honest_peer(i)
  fi
}

/* One end of one connection, as Handshake in handshake.ts plus the wire's re-check timer. */
proctype Party(byte me) {
  mtype kind;
  byte a, b, c, ssg, srl, sct, sorig, k, found;
  short bth, sth;

end:
  do
  :: atomic {
       net?eval(me), kind, a, b, bth, c, ssg, srl, sth, sct, sorig ->
       if
       :: kind == HELLO ->                                            /* onPeerHello */
          if
          :: a == b -> printf("MSG net -> %e: hello of %e\n", N_INST(me), N_HELLO(a))
          :: else -> printf("MSG net -> %e: hello n:%e e:%e\n", N_INST(me), N_HELLO(a), N_HELLO(b))
          fi;
          if
          :: a == HELLO_OF(me) || b == HELLO_OF(me) -> refuse(me, R_REFLECTED)
          :: else ->
             th[me] = (ROLE(me) == INIT -> TH(HELLO_OF(me), HELLO_OF(me), a, b) : TH(a, b, HELLO_OF(me), HELLO_OF(me)));
             phase[me] = KEYED;
             if
             :: ROLE(me) == INIT -> send_proof(me)    /* the initiator proves first */
             :: else ->
#ifdef RESPONDER_FIRST
                send_proof(me)                        /* BROKEN: before any proof from I */
#else
                skip                                  /* the responder waits for I's proof */
#endif
             fi
          fi
       :: kind == PROOF ->                                            /* #onProof */
          printf("MSG net -> %e: ", N_INST(me)); pproof(a, bth, c, ssg, srl, sth);
          if
          :: sorig != 0 -> printf(" [signature made by %e]\n", N_INST(sorig - 1))
          :: else -> printf(" [made by Eve]\n")
          fi;
          if
          :: verdict[me] == AUTH -> refuse(me, R_UNEXPECTED)
          :: verdict[me] >= REFUSED -> skip           /* said once: silence afterwards */
          :: verdict[me] == PENDING && (phase[me] == WAIT || (ROLE(me) == INIT && phase[me] != SENT)) ->
             refuse(me, R_UNEXPECTED)
          :: verdict[me] == PENDING && phase[me] != WAIT && (ROLE(me) == RESP || phase[me] == SENT) ->
             /* #verifyProof. open: sealed with the key of the PEER's direction, for our th */
             if
             :: a != PEER(me) || bth != th[me] -> refuse(me, R_DECRYPT)
             :: else ->
                if
                :: !CSIGOK(c) -> refuse(me, R_BAD_CERT_SIG)
                :: else ->
                   if
                   :: CSWARM(c) != THIS -> refuse(me, R_WRONG_SWARM)
                   :: else ->
                      if
                      :: now >= CEXP(c) -> refuse(me, R_EXPIRED)
                      :: else ->
                         if
                         :: ssg != CMEMBER(c) || sct != c || srl != EXPROLE(me) || sth != EXPTH(me) ->
                            refuse(me, R_BAD_PROOF_SIG)
                         :: else ->
                            authorize(me, c, sorig);
                            if
                            :: ROLE(me) == RESP && phase[me] != SENT -> send_proof(me)
                            :: ROLE(me) == INIT -> printf("MSG %e -> net: accept\n", N_INST(me))
                            :: else -> skip
                            fi
                         fi
                      fi
                   fi
                fi
             fi
          fi
       :: kind == JUNK ->
          printf("MSG net -> %e: junk\n", N_INST(me));
          if
          :: verdict[me] <= AUTH -> refuse(me, R_MALFORMED)
          :: else -> skip
          fi
       fi;
       kind = 0; a = 0; b = 0; bth = 0; c = 0; ssg = 0; srl = 0; sth = 0; sct = 0; sorig = 0;
       k = 0; found = 0
     }
#ifndef NO_RECHECK
  :: atomic {
       /* recheck() on the wire's timer: an expired certificate drops the peer, for good */
       verdict[me] == AUTH && now >= pexp[me] ->
       verdict[me] = DROPPED;
       printf("MSG %e -> net: refuse expired (re-check at t=%d)\n", N_INST(me), now)
     }
#endif
  od
}

/* ---------------------------------------------------------------- the clock */
active proctype Clock() {
end:
  do
  :: atomic { now < MAXT -> now++; printf("MSG clock: t=%d\n", now) }
  od
}

/* ---------------------------------------------------------------- the attacker */
/* Can the attacker usefully deliver a proof to r? (keys derived, still pending, and for an
   initiator: its own proof already sent). Any other proof only ends the handshake, as JUNK does. */
#define CANPROOF(r) (verdict[r] == PENDING && phase[r] != WAIT && (ROLE(r) == RESP || phase[r] == SENT))

active proctype Attacker() {
  byte r, j, n;

end:
  do
  :: /* deliver a hello: an honest instance's (to anyone, itself included) or its own */
     atomic {
       empty(net) ->
       select(r : 0 .. NI - 1);
       if
       :: phase[r] == WAIT && verdict[r] == PENDING ->
#ifdef MIXED_HELLOS
          select(n : 1 .. HE);
          select(j : 1 .. HE);
          net!r, HELLO, n, j, 0, 0, 0, 0, 0, 0, 0
#else
          select(j : 1 .. HE);
          net!r, HELLO, j, j, 0, 0, 0, 0, 0, 0, 0
#endif
       :: else -> skip
       fi;
       r = 0; j = 0; n = 0
     }
  :: /* forward or replay a proof box some honest instance sent, unopened, to anyone */
     atomic {
       empty(net) ->
       select(r : 0 .. NI - 1);
       if
       :: CANPROOF(r) ->
          select(j : 0 .. NI - 1);
          if
          :: phase[j] == SENT ->
             net!r, PROOF, ROLE(j), 0, th[j], CERTOF(OWNER(j)), OWNER(j), SROLE(j), STH(j), CERTOF(OWNER(j)), j + 1
          :: else -> skip
          fi
       :: else -> skip
       fi;
       r = 0; j = 0
     }
  :: /* its own session with r (it holds an ephemeral secret of th[r], so it has r's keys): a
        proof with its own certificate, as issued (3) or with the expiry rewritten (4), signed
        by its own key exactly as r expects */
     atomic {
       empty(net) ->
       select(r : 0 .. NI - 1);
       if
       :: CANPROOF(r) && KK(th[r]) ->
          select(j : 3 .. 4);
          net!r, PROOF, PEER(r), 0, th[r], j, ME, EXPROLE(r), EXPTH(r), j, 0
       :: else -> skip
       fi;
       r = 0; j = 0
     }
  :: /* its own session with r, re-sealing the certificate and signature of an honest instance j
        whose box it could open (it had j's keys): replay, reflection, relay into its session */
     atomic {
       empty(net) ->
       select(r : 0 .. NI - 1);
       if
       :: CANPROOF(r) && KK(th[r]) ->
          select(j : 0 .. NI - 1);
          if
          :: phase[j] == SENT && KK(th[j]) ->
             net!r, PROOF, PEER(r), 0, th[r], CERTOF(OWNER(j)), OWNER(j), SROLE(j), STH(j), CERTOF(OWNER(j)), j + 1
          :: else -> skip
          fi
       :: else -> skip
       fi;
       r = 0; j = 0
     }
#ifndef NO_JUNK
  :: /* inject garbage / out-of-order messages: ends a handshake, or de-authorizes */
     atomic {
       empty(net) ->
       select(r : 0 .. NI - 1);
       if
       :: verdict[r] <= AUTH -> net!r, JUNK, 0, 0, 0, 0, 0, 0, 0, 0, 0
       :: else -> skip
       fi;
       r = 0
     }
#endif
  od
}

init {
  atomic {
    run Party(0); run Party(1);
#if NI >= 3
    run Party(2);
#endif
#if NI >= 4
    run Party(3);
#endif
    skip
  }
}

/* ---------------------------------------------------------------- non-vacuity witnesses */
/* Each must be reachable (SPIN must report its assert(false)), or the properties above could
   hold only because nothing happens. */
#ifdef WITNESS_MUTUAL
/* an honest-honest session (through the attacker, like every session) completes both ways */
active proctype Witness() {
  (verdict[0] == AUTH && verdict[1] == AUTH && th[0] == th[1]) -> assert(false)
}
#endif
#ifdef WITNESS_DROP
/* an authorization is dropped by the expiry re-check */
active proctype Witness() {
  (verdict[0] == DROPPED || verdict[1] == DROPPED || verdict[NI - 2] == DROPPED || verdict[NI - 1] == DROPPED) -> assert(false)
}
#endif
#ifdef WITNESS_INSIDER
/* a legitimate insider is authorized under its own key */
active proctype Witness() {
  ((verdict[1] == AUTH && pmember[1] == ME) || (verdict[0] == AUTH && pmember[0] == ME)) -> assert(false)
}
#endif
#ifdef WITNESS_SELF
/* a member ends up authorizing itself: the attacker crosses two of B's own connections (I2
   connects out while R1 accepts), forwarding each hello to the other. Allowed by P1 (B's key
   did run the other side of that transcript) and harmless for the keys (the attacker knows
   none); the "reflected" check compares a hello only with the same connection's own hello. */
active proctype Witness() {
  (verdict[1] == AUTH && pmember[1] == MB && th[1] == th[NI - 2]) -> assert(false)
}
#endif

#ifdef WITNESS_INITIATOR_CERT
/* the attacker reads an initiator's certificate: by design the initiator proves first, to
   whoever answers its connection, so a responder run by an outsider learns cert_A (and with
   it A's member key). Only the responder's certificate is protected (P3). */
active proctype Witness() {
  (phase[0] == SENT && KK(th[0])) -> assert(false)
}
#endif

/* ---------------------------------------------------------------- P4 and P5 */
/* P4, monotonic expiry: once an instance has dropped its peer for expiry, it never authorizes
   it again on that connection.
   P5, expiry is enforced on live connections: an authorization whose certificate has expired is
   eventually withdrawn (needs weak fairness, pan -a -f: the re-check timer does fire).
   One claim per verifier: p4 by default, p5 with -DLIVENESS (so a trail replays unambiguously). */
#define DR(i) (verdict[i] == DROPPED)
#define AU(i) (verdict[i] == AUTH)
#define LAPSED(i) (verdict[i] == AUTH && now >= pexp[i])
#if !defined(NO_LTL) && !defined(LIVENESS)
ltl p4 { [] ((DR(0) -> [] !AU(0)) && (DR(1) -> [] !AU(1)) && (DR(NI - 2) -> [] !AU(NI - 2)) && (DR(NI - 1) -> [] !AU(NI - 1))) }
#endif
#if !defined(NO_LTL) && defined(LIVENESS)
ltl p5 { [] ((LAPSED(0) -> <> !AU(0)) && (LAPSED(1) -> <> !AU(1)) && (LAPSED(NI - 2) -> <> !AU(NI - 2)) && (LAPSED(NI - 1) -> <> !AU(NI - 1))) }
#endif

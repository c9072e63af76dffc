/*
 * Coterie group index, renewal and revocation (electron/core/protocol/group-index.ts,
 * index-sync.ts, electron/core/engine/index-exchange.ts, electron/core/service/operations/group-index.ts and the
 * revocation checks of protocol/handshake.ts) against a revoked member who owns the network,
 * for SPIN 6.5. docs/MODEL.md §10 explains the model; handshake.pml covers the handshake itself,
 * whose results this model takes as given (a connection authorizes exactly the key holder whose
 * certificate was valid, and its sealed messages are secret and unforgeable).
 *
 *   owner   publishes v1 (members O, A, B, M; certificates that lapse at t = 1; secret S1)
 *           then v2 (renewal: certificates of A, B, M valid for the whole run; S1)
 *           then v3 (M removed: revoked [M], certificates of A and B only; secret S2)
 *   node    keeps the highest version it verified (acceptIndex: owner's signature, version >
 *           held); on a newer index revoking a peer, cuts that peer's live connections at once
 *   members pass their index on, sealed, on connections authorized both ways (index-sync.ts)
 *   renewal a peer whose certificate expired but which proved its member key on the connection
 *           gets, on that connection, only the sender's newest index, only if that index lists
 *           it as a current member, does not revoke it, and carries a certificate for it that is
 *           valid now (protocol/renewal.ts renewalFor); never data
 *
 * Check it by hand (scripts/verify.mjs runs every variant; docs/MODEL.md explains):
 *   spin -a group-index.pml && gcc -O1 -o pan pan.c && ./pan -a -m10000
 * Read a counterexample (same -D flags as the run that wrote group-index.pml.trail):
 *   spin -T -t -DRENEW_ANY group-index.pml | grep MSG
 *
 * Compile-time choices (spin -a -D...):
 *   broken honest behaviour (at most one): NO_VERSION_CHECK  UNSIGNED_INDEX  RENEW_ANY
 *     NO_LIVE_CUT  EXPIRED_DATA  INDEX_IN_CLEAR
 *   non-vacuity witnesses (each MUST produce an error): WITNESS_RELAYED  WITNESS_RENEWAL
 *     WITNESS_M_RENEWAL  WITNESS_CUT  WITNESS_WINDOW
 *   NO_LTL: no claim (assertions only)
 */

#if defined(NO_VERSION_CHECK) + defined(UNSIGNED_INDEX) + defined(RENEW_ANY) + defined(NO_LIVE_CUT) + defined(EXPIRED_DATA) + defined(INDEX_IN_CLEAR) > 1
#error "at most one broken variant"
#endif

/* ---------------------------------------------------------------- terms */
/* honest nodes, and the attacker's member key */
#define O  0         /* the owner's node (holds the swarm key: the only one that signs an index) */
#define NA 1         /* member A */
#define NB 2         /* member B */
#define NN 3         /* honest nodes */
#define KM 3         /* member key M: a member in v1 and v2, revoked in v3; held by the attacker */

/*
 * Index terms. Perfect signatures: an index verifies iff the owner signed exactly these fields,
 * so the attacker can replay owner indexes it has seen, but anything it changes or makes is
 * unsigned (one forged term stands for all of them: the most useful one, a version above every
 * real one that lists M and revokes no one).
 *   k  version  signed  members     revoked  certificates                  secret
 *   1  1        yes     O A B M     -        gen 1 (lapse at t = 1)         S1
 *   2  2        yes     O A B M     -        gen 2 of A, B, M (renewal)     S1
 *   3  3        yes     O A B       M        gen 2 of A, B                  S2 (rotated)
 *   4  4        NO      O A B M     -        none                           S1
 * A term's version is its number; 0 means "no index".
 */
#define V1 1
#define V2 2
#define V3 3
#define VF 4
#define VER(k)       (k)
#define SIGNED(k)    ((k) >= V1 && (k) <= V3)
#define LISTS(k, p)  ((k) != 0 && ((p) != KM || (k) != V3))   /* p is a current member in k */
#define REVOKES(k, p) ((k) == V3 && (p) == KM)
#define RENEWS(k)    ((k) == V2 || (k) == V3)                   /* holds gen 2 of A and B */
#define MRENEWED(k)  ((k) == V2)                                /* holds gen 2 of M */
/* the generation of the certificate index k carries for key p (0: none) */
#define CERTIN(k, p) (((k) == V1) -> 1 : ((RENEWS(k) && ((p) != KM || MRENEWED(k))) -> 2 : 0))
#define SECRET2(k)   ((k) == V3)
#define BIT(k)       (1 << (k))

/* Certificates: generation 1 is valid while now < 1, generation 2 for the whole run (the real
   check now < exp + CLOCK_SKEW_S is folded into exp, as in handshake.pml). 0 = none. */
#define MAXT 1
#define VALID(g)     ((g) == 2 || ((g) == 1 && now < 1))

/* ---------------------------------------------------------------- state */
byte now;            /* the clock: 0 .. MAXT */
byte held[NN];       /* the index term each honest node holds (its IndexBook entry) */
byte hist[NN];       /* every term it has held (bits): what its sealed messages may still carry */
byte cert[NN];       /* the certificate generation each honest node proves with */
byte authM[NN];      /* generation of the certificate M was authorized with on its live
                        connection to node n (the node uploads to it); 0 = no such connection */
byte know;           /* index terms the attacker has (bits); it knows S2 iff it has v3 */
bit revSeen[NN];     /* ghost: node n has held an index revoking M (read by I3 only) */
/* ghosts for the witnesses, each set only in its own run; the Witness process fires at once */
bit wRelayed; bit wRenewed; bit wMRenewed; bit wCut; bit wWindow;

/* Names for the trail (mtype numbers follow declaration order, one name per declaration). */
mtype = { owner }; mtype = { A }; mtype = { B }; mtype = { M };                  /* 1..4 */
mtype = { v1 }; mtype = { v2 }; mtype = { v3 }; mtype = { forged_v4 };          /* 5..8 */
#define N_NODE(n)  ((n) + 1)
#define N_IDX(k)   ((k) + 4)

/* ---------------------------------------------------------------- honest behaviour */

/* The attacker obtains index term k. I5: it never learns the rotated secret. */
inline learn(k) {
  know = know | BIT(k);
  assert(!SECRET2(k))   /* I5: the revoked member learned the rotated discovery secret */
}

/* acceptIndex + IndexBook.#keep at node y for term k: verify, keep if newer; then, in the same
   turn of the event loop, the engine re-checks the group's connections ('changed' ->
   #recheckGroup: a revoked peer is refused and its wire closed) and the node installs the
   certificate the index holds for it if it is later than its own (applyIndex). */
inline accept(y, k) {
  if
#if defined(UNSIGNED_INDEX)
  :: VER(k) > VER(held[y]) ->                  /* BROKEN: the signature is not checked */
#elif defined(NO_VERSION_CHECK)
  :: SIGNED(k) && k != held[y] ->              /* BROKEN: any other signed version replaces it */
#else
  :: SIGNED(k) && VER(k) > VER(held[y]) ->
#endif
     assert(SIGNED(k));   /* I2: a node holds an index the owner did not sign */
     held[y] = k;
     hist[y] = hist[y] | BIT(k);
     printf("MSG %e accepts %e\n", N_NODE(y), N_IDX(k));
     if
     :: REVOKES(k, KM) ->
        revSeen[y] = 1;
#ifndef NO_LIVE_CUT
        if
        :: authM[y] != 0 ->
#ifdef WITNESS_CUT
           wCut = (authM[y] == 2 && now == MAXT);
#endif
           authM[y] = 0;
           printf("MSG %e -> M: refuse revoked (live connection cut)\n", N_NODE(y))
        :: else -> skip
        fi
#endif
     :: else -> skip
     fi;
     if
     :: RENEWS(k) && cert[y] == 1 -> cert[y] = 2; printf("MSG %e installs its renewed certificate\n", N_NODE(y))
     :: else -> skip
     fi
  :: else ->
     if
     :: SIGNED(k) -> printf("MSG %e ignores %e (stale)\n", N_NODE(y), N_IDX(k))
     :: else -> printf("MSG %e ignores %e (bad-signature)\n", N_NODE(y), N_IDX(k))
     fi
  fi
}

/* Node y starts uploading to M, which proved its key with a generation-g certificate. I6: only
   with a certificate valid now and not revoked by the index y holds. */
inline authorize_m(y, g) {
  assert(VALID(g) && !REVOKES(held[y], KM));   /* I6: data authorization for M without a valid, unrevoked certificate */
  authM[y] = g;
  printf("MSG %e AUTHORIZES M (certificate gen %d) at t=%d\n", N_NODE(y), g, now)
}

/* The renewal rule at node x for a peer p whose certificate expired on this connection: x's
   newest index, only if it lists p as a current member, does not revoke it, and carries a
   certificate for p that is valid now (a renewal, not the certificate that expired). */
#define RENEWS_NOW(k, p) (LISTS(k, p) && !REVOKES(k, p) && VALID(CERTIN(k, p)))
#ifdef RENEW_ANY
#define RENEWAL_OK(x, p) (held[x] != 0)                 /* BROKEN: to any key that proved itself */
#else
#define RENEWAL_OK(x, p) RENEWS_NOW(held[x], p)
#endif
/* I4 asks only for what security needs (a current member); the certificate condition only
   saves sending an index that renews nothing (and, since an index carries certificates of its
   members alone, implies the rest). */
inline renewal_sent(x, p) {
  assert(LISTS(held[x], p) && !REVOKES(held[x], p));   /* I4: renewal path served to a key its newest index does not list as a current member */
  printf("MSG %e -> %e: renewal path, index %e (sealed)\n", N_NODE(x), N_NODE(p), N_IDX(held[x]))
}

/* ---------------------------------------------------------------- the owner and the clock */
active proctype Owner() {
end:
  do
  :: atomic { held[O] == V1 -> printf("MSG owner publishes v2 (renewal)\n"); accept(O, V2) }
  :: atomic { held[O] == V2 -> printf("MSG owner publishes v3 (removes M, rotates the secret)\n"); accept(O, V3) }
  od
}

active proctype Clock() {
end:
  do
  :: atomic { now < MAXT -> now++; printf("MSG clock: t=%d\n", now) }
  od
}

/* ---------------------------------------------------------------- the network (attacker-scheduled) */
/*
 * Between honest nodes the attacker only decides what arrives when: their messages are sealed
 * under keys it cannot compute (handshake.pml, KEYS), so it can withhold them, and delay them
 * (a term k from the sender's history arrives after the sender moved on), but not read, change
 * or inject them.
 */
active proctype Network() {
  byte x, y, k;
end:
  do
  :: /* index sync on a connection authorized both ways: both certificates valid */
     atomic {
       select(x : 0 .. NN - 1);
       select(y : 0 .. NN - 1);
       select(k : V1 .. VF);
       if
       :: x != y && (hist[x] & BIT(k)) && VALID(cert[x]) && VALID(cert[y]) ->
#ifdef INDEX_IN_CLEAR
          printf("MSG %e -> %e: index %e (in clear)\n", N_NODE(x), N_NODE(y), N_IDX(k));
          learn(k);                            /* BROKEN: sent without sealing, the attacker reads it */
#else
          printf("MSG %e -> %e: index %e (sealed)\n", N_NODE(x), N_NODE(y), N_IDX(k));
#endif
#ifdef WITNESS_RELAYED
          wRelayed = (x != O && y != O && k == V3 && held[y] < V3);
#endif
          accept(y, k)
       :: else -> skip
       fi;
       x = 0; y = 0; k = 0
     }
  :: /* renewal path to an honest member whose certificate expired */
     atomic {
       select(x : 0 .. NN - 1);
       select(y : NA .. NB);
       if
       :: x != y && cert[y] == 1 && !VALID(1) && RENEWAL_OK(x, y) ->
          renewal_sent(x, y);
          k = held[x];
          accept(y, k);
#ifdef WITNESS_RENEWAL
          wRenewed = (cert[y] == 2);
#endif
          skip
       :: else -> skip
       fi;
       x = 0; y = 0; k = 0
     }
  od
}

/* ---------------------------------------------------------------- the revoked member M */
/*
 * M holds its member key, v1 (from its invite), certificate generation 1, and whatever it
 * obtains (v2 carries its generation-2 certificate). It connects to any honest node and proves
 * its key with any certificate it has; it sends any index it has, or a forged one, to any node;
 * on a connection a node authorized, it fetches the node's index and downloads.
 * Not modelled here (handshake.pml): the re-check at expiry. M's connection stays authorized
 * after its certificate lapses, which only gives it more.
 */
active proctype Mallory() {
  byte y, g, k;
end:
  do
  :: /* connect to y and prove the key M with certificate generation g (handshake.ts) */
     atomic {
       select(y : 0 .. NN - 1);
       select(g : 1 .. 2);
       if
       :: authM[y] == 0 && (g == 1 || (know & BIT(V2))) ->
          printf("MSG M -> %e: proof (key M, certificate gen %d) at t=%d\n", N_NODE(y), g, now);
          if
          :: VALID(g) && REVOKES(held[y], KM) -> printf("MSG %e -> M: refuse revoked\n", N_NODE(y))
          :: VALID(g) && !REVOKES(held[y], KM) -> authorize_m(y, g)
          :: !VALID(g) && RENEWAL_OK(y, KM) ->       /* expired, otherwise valid: the renewal rule */
             renewal_sent(y, KM);
#ifdef WITNESS_M_RENEWAL
             wMRenewed = MRENEWED(held[y]);
#endif
             learn(held[y]);
#ifdef EXPIRED_DATA
             authorize_m(y, g);                /* BROKEN: the renewal connection also gets data */
#endif
             skip
          :: !VALID(g) && !RENEWAL_OK(y, KM) -> printf("MSG %e -> M: refuse expired\n", N_NODE(y))
          fi
       :: else -> skip
       fi;
       y = 0; g = 0
     }
  :: /* replay an index it has, or send the forged one. The code takes index payloads only on a
        connection authorized both ways; the model lets M deliver them on any connection (an
        index must stand on its signature and version alone) */
     atomic {
       select(y : 0 .. NN - 1);
       select(k : V1 .. VF);
       if
       :: (know & BIT(k)) || k == VF ->
          printf("MSG M -> %e: index %e\n", N_NODE(y), N_IDX(k));
          accept(y, k)
       :: else -> skip
       fi;
       y = 0; k = 0
     }
  :: /* on an authorized connection: fetch the node's index (index-get) */
     atomic {
       select(y : 0 .. NN - 1);
       if
       :: authM[y] != 0 ->
          printf("MSG %e -> M: index %e\n", N_NODE(y), N_IDX(held[y]));
          k = held[y];
          learn(k)
       :: else -> skip
       fi;
       y = 0; k = 0
     }
  :: /* on an authorized connection: download a piece */
     atomic {
       select(y : 0 .. NN - 1);
       if
       :: authM[y] != 0 ->
          printf("MSG %e -> M: piece\n", N_NODE(y));
          assert(!revSeen[y]);  /* I3: data to M from a node that has held an index revoking M */
#ifdef WITNESS_WINDOW
          wWindow = (held[O] == V3);
#endif
          skip
       :: else -> skip
       fi;
       y = 0
     }
  :: /* close its connection to y (to reconnect with another certificate) */
     atomic {
       select(y : 0 .. NN - 1);
       if
       :: authM[y] != 0 -> authM[y] = 0; printf("MSG M closes its connection to %e\n", N_NODE(y))
       :: else -> skip
       fi;
       y = 0
     }
  od
}

init {
  atomic {
    /* everyone holds v1: the owner published it, invites carried it (and M's certificate) */
    held[O] = V1; held[NA] = V1; held[NB] = V1;
    hist[O] = BIT(V1); hist[NA] = BIT(V1); hist[NB] = BIT(V1);
    cert[O] = 2; cert[NA] = 1; cert[NB] = 1;   /* the owner certifies itself: always valid */
    know = BIT(V1)
  }
}

/* ---------------------------------------------------------------- non-vacuity witnesses */
#ifdef WITNESS_RELAYED
/* the revocation reaches a member through another member (the owner may be offline) */
active proctype Witness() { wRelayed -> assert(false) }
#endif
#ifdef WITNESS_RENEWAL
/* a member whose certificate expired gets its renewal over the renewal path */
active proctype Witness() { wRenewed -> assert(false) }
#endif
#ifdef WITNESS_M_RENEWAL
/* while still a member, M itself gets a renewal over the renewal path (so I4/I5 are not
   vacuous: the path is open to M until an index revokes it) */
active proctype Witness() { wMRenewed -> assert(false) }
#endif
#ifdef WITNESS_CUT
/* a live connection of M, authorized with its renewed certificate after t = 1, is cut when the
   node accepts v3: only the revocation list stops M there */
active proctype Witness() { wCut -> assert(false) }
#endif

#ifdef WITNESS_WINDOW
/* after the owner published v3, M still downloads from a member v3 has not reached yet: a
   removal takes effect at each node when its index does (there is no central server) */
active proctype Witness() { wWindow -> assert(false) }
#endif

/* ---------------------------------------------------------------- I1 */
/* I1, monotone: the version a node holds never decreases (for every node and every version). */
#define GE(n, v) (held[n] >= v)
#if !defined(NO_LTL)
ltl i1 { [] ((GE(0, 2) -> [] GE(0, 2)) && (GE(0, 3) -> [] GE(0, 3)) && (GE(0, 4) -> [] GE(0, 4)) &&
             (GE(1, 2) -> [] GE(1, 2)) && (GE(1, 3) -> [] GE(1, 3)) && (GE(1, 4) -> [] GE(1, 4)) &&
             (GE(2, 2) -> [] GE(2, 2)) && (GE(2, 3) -> [] GE(2, 3)) && (GE(2, 4) -> [] GE(2, 4))) }
#endif

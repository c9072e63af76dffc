/*
 * Coterie handshake model: symbolic terms (perfect cryptography) and the configuration.
 * Included by handshake.pml; docs/MODEL.md explains every abstraction made here.
 *
 * Compile-time choices (spin -a -D...):
 *   attacker (exactly one): OUTSIDER  FORMER  INSIDER
 *   broken honest behaviour (at most one, optional):
 *     NO_NONCE_BINDING  NO_ROLE_LABEL  RESPONDER_FIRST  NO_KEY_BINDING  UNSIGNED_EXPIRY
 *     NO_RECHECK (expiry checked only in the handshake, as in Closed Swarms)
 *   non-vacuity witnesses (optional, each MUST produce an error):
 *     WITNESS_MUTUAL  WITNESS_DROP  WITNESS_INSIDER  WITNESS_SELF  WITNESS_INITIATOR_CERT
 *   size: MIXED_HELLOS (nonce and ephemeral key chosen separately), NI=2|3|4 (default 4)
 *   NO_JUNK (drop the garbage-injection move), NO_LTL (no claims)
 */

#if defined(OUTSIDER) + defined(FORMER) + defined(INSIDER) != 1
#error "choose exactly one attacker: -DOUTSIDER, -DFORMER or -DINSIDER"
#endif

/* ---- principals (member keys); printed as A, B, E ---- */
#define MA 1         /* honest member Alice */
#define MB 2         /* honest member Bob */
#define ME 3         /* the attacker's own member key (Eve) */

/* ---- roles, as written in a signature's role label ---- */
#define INIT 1
#define RESP 2
#define NOROLE 3     /* the label is missing (NO_ROLE_LABEL) */

/* ---- swarms ---- */
#define THIS 1       /* the swarm whose key is in this torrent's info dictionary */
#define OTHER 2      /* some other swarm */

/* ---- time: a counter that only increases, 0 .. MAXT ---- */
#define MAXT 1

/*
 * Honest protocol instances (one BitTorrent connection end each; the attacker decides who is
 * connected to whom by what it delivers):
 *   0 = I1, initiator, owned by A      1 = R1, responder, owned by B
 *   2 = I2, initiator, owned by B      3 = R2, responder, owned by A
 * (I2 and R2 give a second honest session, and let A and B appear in both roles.)
 * -DNI=2 or -DNI=3 keeps only the first instances (used for the MIXED_HELLOS runs).
 */
#ifndef NI
#define NI 4
#endif
#if NI < 2 || NI > 4
#error "NI must be 2, 3 or 4"
#endif
#define ROLE(i)  ((((i) % 2) == 0) -> INIT : RESP)
#define OWNER(i) ((((i) == 0) || ((i) == 3)) -> MA : MB)
#define PEER(i)  ((ROLE(i) == INIT) -> RESP : INIT)   /* the role the other end plays */

/*
 * Hellos {n, e}: instance i sends nonce n_(i+1) and ephemeral public key e_(i+1), both fresh;
 * symbol HE is the attacker's own nonce and ephemeral key (it knows the secret of e_HE).
 * By default the attacker sends a hello as a whole (an honest instance's unchanged, to anyone, or
 * its own). MIXED_HELLOS lets it combine any nonce with any ephemeral key; that only adds
 * transcripts no two honest instances share (MODEL.md, "Abstractions"), and the runs with it
 * confirm that nothing changes.
 */
#define HELLO_OF(i) ((i) + 1)
#define HE 5

/*
 * Transcript hash th = H(infohash, nI, eI, nR, eR): a perfect hash, so two transcripts are equal
 * iff all their fields are (one torrent: the infohash is the same in all of them). Encoded as
 * four 3-bit fields; 0 means "no transcript yet".
 */
#define TH(nI, eI, nR, eR) (((((nI) * 8 + (eI)) * 8 + (nR)) * 8) + (eR))
#define TH_NI(t) ((t) / 512)
#define TH_EI(t) (((t) / 64) % 8)
#define TH_NR(t) (((t) / 8) % 8)
#define TH_ER(t) ((t) % 8)

/*
 * Session keys kIR, kRI, session = HKDF(DH(eI, eR), salt = th). Perfect DH: the attacker can
 * compute them only if one of the two ephemeral secrets of th is its own.
 * NO_KEY_BINDING: the keys come from public data only (e.g. HKDF(th) without the DH secret, or
 * no sealing at all), so the attacker knows the keys of every transcript it saw.
 */
#ifdef NO_KEY_BINDING
#define KK(t) (1)
#else
#define KK(t) ((TH_EI(t) == HE) || (TH_ER(t) == HE))
#endif

/*
 * Certificates: cert(member, swarm, exp) signed by the swarm key.
 *   1 = cert_A (THIS, exp 1: it lapses when the clock ticks)
 *   2 = cert_B (THIS, exp 2: valid for the whole run)
 *   3 = cert_E, issued to the attacker:
 *         OUTSIDER: valid, but by ANOTHER swarm's key     (OTHER, exp 2)
 *         FORMER:   this swarm, already expired           (THIS,  exp 0)
 *         INSIDER:  this swarm, valid until the tick      (THIS,  exp 1)
 *   4 = cert_E with its expiry field rewritten to 2: never issued. Its signature still verifies
 *       only when the swarm signature does not cover the expiry (UNSIGNED_EXPIRY).
 * A certificate is valid at time t iff signature ok, swarm = THIS and t < exp (the real check is
 * now < exp + CLOCK_SKEW_S; the skew is folded into exp here). Scope: one torrent, whole swarm.
 */
#define A_EXP 1
#define B_EXP 2
#ifdef OUTSIDER
#define E_SWARM OTHER
#define E_EXP 2
#endif
#ifdef FORMER
#define E_SWARM THIS
#define E_EXP 0
#endif
#ifdef INSIDER
#define E_SWARM THIS
#define E_EXP 1
#endif
#define FORGED_EXP 2

#define CMEMBER(c)  (((c) == 1) -> MA : (((c) == 2) -> MB : ME))
#define CSWARM(c)   (((c) <= 2) -> THIS : E_SWARM)
#define CEXP(c)     (((c) == 1) -> A_EXP : (((c) == 2) -> B_EXP : (((c) == 3) -> E_EXP : FORGED_EXP)))
#define CISSUED(c)  (((c) >= 1) && ((c) <= 3))
#ifdef UNSIGNED_EXPIRY
#define CSIGOK(c)   (((c) >= 1) && ((c) <= 4))
#else
#define CSIGOK(c)   CISSUED(c)
#endif
#define CERTOF(m)   (((m) == MA) -> 1 : (((m) == MB) -> 2 : 3))

/*
 * Signatures sig(signer, role, th, cert) = Sign(member key, ["coterie", 1, role, th || H(cert)]).
 * Perfect: only the holder of the member key makes one, and it verifies only for exactly these
 * fields. SROLE/STH: what honest instance j writes into its signature; EXPROLE/EXPTH: what
 * verifier r demands.
 */
#ifdef NO_ROLE_LABEL
#define SROLE(j)   NOROLE
#define EXPROLE(r) NOROLE
#else
#define SROLE(j)   ROLE(j)
#define EXPROLE(r) PEER(r)
#endif
#ifdef NO_NONCE_BINDING
#define STH(j)   0
#define EXPTH(r) 0
#else
#define STH(j)   th[j]
#define EXPTH(r) th[r]
#endif

/* ---- verdicts on the peer ("do we upload to it?") and handshake phases ---- */
#define PENDING 0
#define AUTH    1
#define REFUSED 2
#define DROPPED 3    /* refused on a re-check because the certificate expired */

#define WAIT  0      /* no peer hello yet */
#define KEYED 1      /* hello received: th and keys derived */
#define SENT  2      /* own proof sent (its AEAD box is on the wire) */

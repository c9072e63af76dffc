"""
One libtorrent benchmark peer, in its own process: the yardstick next to plain WebTorrent and
Coterie (issue 16). bench/transfer.ts spawns it with Node's IPC channel (NODE_CHANNEL_FD: one JSON
object per line each way) and drives it with the same requests as bench/peer.ts: start, seed, add,
go, cpu, peers, stop, each answered with {id, ok, ...}.

libtorrent 2.0 through Debian's python3-libtorrent, with its default settings except what a
loopback bench needs and the other peers also have: DHT, LSD, UPnP and NAT-PMP off, TCP only
unless uTP is asked for, listening on 127.0.0.1, and several connections from one IP allowed (every
peer of the swarm bench is 127.0.0.1). Timing as in bench/peer.ts: from connect_peer to the
torrent_finished alert, measured inside the leecher; cpuMs counts every thread of the process.
"""
import json
import os
import resource
import socket
import sys
import time

import libtorrent as lt

# Bounded waits (seconds), as in bench/transfer.ts's LIMIT: a stuck step fails with a message.
CHECK_LIMIT_S = 180
# How often the leecher looks for its first byte of piece data (as bench/peer.ts: 5 ms).
FIRST_BYTE_POLL_S = 0.005
# How long one wait for alerts lasts after the first byte: bounds how late 'done' can be seen.
ALERT_WAIT_MS = 20

channel = socket.socket(fileno=int(os.environ["NODE_CHANNEL_FD"]))
reader = channel.makefile("r", encoding="utf-8")
session = None


def send(obj):
    channel.sendall((json.dumps(obj) + "\n").encode())


def wall_ms():
    return time.time() * 1000


def cpu_ms():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000


def the():
    if session is None:
        raise RuntimeError("no session: send start first")
    return session


def handle_of(info_hash):
    for h in the().get_torrents():
        if str(h.info_hash()) == info_hash:
            return h
    raise RuntimeError(f"no torrent {info_hash}")


def start(r):
    global session
    if session is not None:
        raise RuntimeError("a session is already running")
    utp = bool(r["utp"])
    session = lt.session(
        {
            "listen_interfaces": "127.0.0.1:0",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_incoming_utp": utp,
            "enable_outgoing_utp": utp,
            "enable_incoming_tcp": True,
            "enable_outgoing_tcp": True,
            "allow_multiple_connections_per_ip": True,
            "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
        }
    )
    deadline = time.time() + CHECK_LIMIT_S
    while session.listen_port() == 0:
        if time.time() > deadline:
            raise RuntimeError("libtorrent did not listen")
        time.sleep(0.01)
    return {"port": session.listen_port()}


def wait_state(h, ok):
    deadline = time.time() + CHECK_LIMIT_S
    while not ok(h.status()):
        if time.time() > deadline:
            raise RuntimeError(f"torrent stuck in state {h.status().state}")
        time.sleep(0.02)


def seed(r):
    path = r["path"]
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs)
    lt.set_piece_hashes(ct, os.path.dirname(path))
    meta = lt.bencode(ct.generate())
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(lt.bdecode(meta))
    p.save_path = os.path.dirname(path)
    p.flags |= lt.torrent_flags.seed_mode  # just hashed: no second check
    h = the().add_torrent(p)
    wait_state(h, lambda s: s.is_seeding)
    return {"infoHash": str(h.info_hash()), "meta": meta.hex()}


def add(r):
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(lt.bdecode(bytes.fromhex(r["meta"])))
    p.save_path = r["dir"]
    h = the().add_torrent(p)
    wait_state(h, lambda s: s.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data))
    return {"infoHash": str(h.info_hash())}


def go(r):
    h = handle_of(r["infoHash"])
    ses = the()
    ses.pop_alerts()
    cpu0 = cpu_ms()
    start = wall_ms()
    for peer in r["peers"]:
        host, port = peer.rsplit(":", 1)
        h.connect_peer((host, int(port)))
    first_byte = None
    last, last_change = -1, time.time()
    while True:
        ses.wait_for_alert(int(FIRST_BYTE_POLL_S * 1000) if first_byte is None else ALERT_WAIT_MS)
        finished = any(
            isinstance(a, lt.torrent_finished_alert) and a.handle == h for a in ses.pop_alerts()
        )
        now = wall_ms()
        if finished:
            break
        s = h.status()
        if first_byte is None and s.total_wanted_done > 0:
            first_byte = now - start
        if s.total_wanted_done != last:
            last, last_change = s.total_wanted_done, time.time()
        stalled = (time.time() - last_change) * 1000 > r["stallMs"]
        if stalled or now - start > r["limitMs"]:
            why = f"no progress for {r['stallMs']} ms" if stalled else f"not done after {r['limitMs']} ms"
            raise RuntimeError(f"libtorrent leecher: {why} ({s.total_wanted_done} of {s.total_wanted} bytes, {s.num_peers} peer(s))")
    end = wall_ms()
    return {
        "start": start,
        "end": end,
        "ms": end - start,
        "firstByteMs": first_byte if first_byte is not None else end - start,
        "bytes": h.status().total_wanted,
        "cpuMs": cpu_ms() - cpu0,
        "transport": "utp" if r.get("utp") else "tcp",
    }


def peers(r):
    return {
        "peers": [
            {
                "address": f"{p.ip[0]}:{p.ip[1]}",
                "client": p.client.decode("utf-8", "replace") if isinstance(p.client, bytes) else str(p.client),
                "state": "open",
                "uploaded": p.total_upload,
                "downloaded": p.total_download,
            }
            for p in handle_of(r["infoHash"]).get_peer_info()
        ]
    }


def stop(r):
    global session
    ses, session = session, None
    if ses is not None:
        for h in ses.get_torrents():
            ses.remove_torrent(h)
        del ses
    return {}


HANDLERS = {
    "start": start,
    "seed": seed,
    "add": add,
    "go": go,
    "cpu": lambda r: {"cpuMs": cpu_ms(), "wall": wall_ms()},
    # libtorrent bounds its own send buffer (send_buffer_watermark); it is not sampled here.
    "queue": lambda r: {},
    "peers": peers,
    "stop": stop,
}

send({"ready": True})
for line in reader:  # the parent gone: end of file, and the process ends
    msg = json.loads(line)
    if "id" not in msg:
        continue  # Node's own channel messages
    try:
        res = HANDLERS[msg["cmd"]](msg)
        send({"id": msg["id"], "ok": True, **res})
    except Exception as e:  # a failed step is an answer, as in bench/peer.ts
        send({"id": msg["id"], "ok": False, "error": f"{type(e).__name__}: {e}"})

#!/usr/bin/env python3
"""A stand-in for a running VM's supervisor, for the console benchmarks.

Makes RUNDIR (0700) look like a live run directory to qemu-tui (src/vm.c):
supervisor.pid holds this process's pid and stays flock'ed (LOCK_EX) while it lives,
qmp.sock answers a minimal QMP (greeting, qmp_capabilities, query-status "running",
query-cpus-fast one vCPU, anything else an empty return), and serial.sock serves any
number of clients as the supervisor does. On each serial connection it writes
CTL/conn.N, waits for one byte on the fifo CTL/start, then streams DATA as fast as the
reader takes it (sendfile on a blocking socket), writes CTL/done.N (CLOCK_MONOTONIC
seconds when the last byte was accepted by the socket) and keeps the connection open,
idle, like a guest that stopped writing. What the client sends is read and dropped.

Usage: fakevm.py RUNDIR DATA CTL      (CTL/ready appears once both sockets listen)
"""
import fcntl
import json
import os
import signal
import socket
import sys
import threading
import time

rundir, data, ctl = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(rundir, mode=0o700, exist_ok=True)
os.chmod(rundir, 0o700)
os.makedirs(ctl, exist_ok=True)
fifo = os.path.join(ctl, "start")
if not os.path.exists(fifo):
    os.mkfifo(fifo, 0o600)
# O_RDWR: opening never blocks and the fifo never reads EOF.
start_fd = os.open(fifo, os.O_RDWR)

pidfd = os.open(os.path.join(rundir, "supervisor.pid"), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
fcntl.flock(pidfd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(pidfd, b"%d\n" % os.getpid())
with open(os.path.join(rundir, "started"), "w") as f:
    f.write("%d\n" % int(time.time()))
with open(os.path.join(rundir, "accel"), "w") as f:
    f.write("tcg\nfake VM for bench/\n")

size = os.path.getsize(data)
nconn = 0
lock = threading.Lock()


def listener(name):
    path = os.path.join(rundir, name)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    return s


def drain(conn):
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def serial_client(conn):
    global nconn
    with lock:
        nconn += 1
        n = nconn
    threading.Thread(target=drain, args=(conn,), daemon=True).start()
    open(os.path.join(ctl, "conn.%d" % n), "w").close()
    os.read(start_fd, 1)
    t_start = time.monotonic()
    try:
        with open(data, "rb") as f:
            off = 0
            while off < size:
                sent = os.sendfile(conn.fileno(), f.fileno(), off, size - off)
                if sent == 0:
                    break
                off += sent
    except OSError:
        return
    t_done = time.monotonic()
    tmp = os.path.join(ctl, ".done.%d" % n)
    with open(tmp, "w") as f:
        f.write("%.6f %.6f %d\n" % (t_start, t_done, off))
    os.rename(tmp, os.path.join(ctl, "done.%d" % n))


def reply(obj):
    cmd = obj.get("execute", "")
    if cmd == "query-status":
        ret = {"status": "running", "running": True, "singlestep": False}
    elif cmd == "query-cpus-fast":
        ret = [{"cpu-index": 0, "thread-id": os.getpid(), "target": "aarch64"}]
    else:
        ret = {}
    out = {"return": ret}
    if "id" in obj:
        out["id"] = obj["id"]
    return (json.dumps(out) + "\r\n").encode()


def qmp_client(conn):
    dec = json.JSONDecoder()
    try:
        conn.sendall(b'{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 8},'
                     b' "package": "fakevm"}, "capabilities": []}}\r\n')
        buf = ""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk.decode("utf-8", "replace")
            while True:
                buf = buf.lstrip()
                if not buf:
                    break
                try:
                    obj, end = dec.raw_decode(buf)
                except ValueError:
                    break
                buf = buf[end:]
                if isinstance(obj, dict):
                    conn.sendall(reply(obj))
    except OSError:
        pass
    finally:
        conn.close()


def serve(sock, handler):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
signal.signal(signal.SIGHUP, lambda *a: os._exit(0))
ser = listener("serial.sock")
qmp = listener("qmp.sock")	# last: "serving" means qmp.sock exists
threading.Thread(target=serve, args=(ser, serial_client), daemon=True).start()
threading.Thread(target=serve, args=(qmp, qmp_client), daemon=True).start()
open(os.path.join(ctl, "ready"), "w").close()
while True:
    signal.pause()

#!/usr/bin/env python3
"""tmux driving and timing for the console benchmarks.

One tmux control-mode client (tmux -C, attached to a session of its own so it never
sizes the measured panes) carries every send-keys and capture-pane: a command costs a
round trip on a pipe (a fraction of a millisecond) instead of a fork and exec of the
tmux binary, so polling every few milliseconds disturbs the measurement little, and
both sides of every comparison are polled the same way.

Subcommands (SOCK is the tmux -L socket name; TARGET a pane, e.g. "qt" or "base:3"):
  geometry SOCK TARGET TITLE
      Find the box whose top border holds "┌─ TITLE" and print the inner area:
      "COLS ROWS X Y" (X, Y: its top-left inner cell, 0-based).
  stream SOCK TARGET REGION CTL CONN MARKER [--idle S] [--poll S] [--timeout S]
      REGION is "X,Y,COLS,ROWS" of the pane (what to watch). Writes one byte to the
      fifo CTL/start (a fakevm.py serial connection waits for it), waits for
      CTL/done.CONN (the last byte accepted by the socket: stat every 5 ms, no tmux
      traffic), then polls capture-pane of REGION until MARKER is on it and REGION
      has not changed for --idle seconds. Prints "ELAPSED SENT": seconds from the
      start byte to the first capture showing the final screen, and to the last byte
      accepted by the socket.
  latency SOCK --pane NAME TARGET REGION [--pane ...] --keys N [--seg L]
          [--poll S] [--prompt P]
      Types N random letters at the guest's shell prompt through each pane, in
      segments of L keys, the panes taking turns segment by segment (so load drifts
      hit both alike). Each segment starts with C-u and waits until the line is
      cleared. A key is timed from just before its send-keys until the capture of
      the pane's REGION shows a line ending in PROMPT + the segment typed so far.
      Prints per pane: "NAME median_ms p90_ms mean_ms min_ms max_ms n", then
      "poll POLL_MS capture_ms" (the median cost of one capture-pane round trip).
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import unicodedata


class Tmux:
    def __init__(self, sock):
        self.sock = sock
        self.session = "ctl%d" % os.getpid()
        subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", self.session,
                        "-x", "80", "-y", "24", "sleep 1000000"], check=True)
        self.p = subprocess.Popen(["tmux", "-L", sock, "-C", "attach", "-t", self.session],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  bufsize=1 << 16)
        tag = "sync-%d" % os.getpid()
        self._send("display-message -p " + tag)
        while self._block() != [tag]:
            pass

    def _send(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()

    def _block(self):
        """The next reply block (notifications and others' blocks are skipped)."""
        out = None
        while True:
            raw = self.p.stdout.readline()
            if not raw:
                raise SystemExit("tmux control client ended")
            line = raw.rstrip(b"\n")
            if out is None:
                if line.startswith(b"%begin "):
                    out = []
                continue
            if line.startswith(b"%end ") or line.startswith(b"%error "):
                if line.startswith(b"%error "):
                    raise SystemExit("tmux: " + b"\n".join(out).decode("utf-8", "replace"))
                return [x.decode("utf-8", "replace") for x in out]
            out.append(line)

    def cmd(self, line):
        self._send(line)
        return self._block()

    def capture(self, target, y0=None, y1=None):
        c = "capture-pane -p -t " + target
        if y0 is not None:
            c += " -S %d -E %d" % (y0, y1)
        return self.cmd(c)

    def close(self):
        try:
            self._send("kill-session -t " + self.session)
            self.p.stdin.close()
            self.p.wait(timeout=5)
        except Exception:
            self.p.kill()


def cwidth(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cols_slice(line, x0, w):
    """Display columns [x0, x0 + w) of a captured line."""
    out, col = [], 0
    for ch in line:
        if col >= x0 + w:
            break
        if col >= x0:
            out.append(ch)
        col += cwidth(ch)
    return "".join(out)


def region_text(tm, target, region):
    x, y, w, h = region
    return [cols_slice(l, x, w) for l in tm.capture(target, y, y + h - 1)]


def parse_region(s):
    x, y, w, h = (int(v) for v in s.split(","))
    return x, y, w, h


def find_box(lines, title):
    key = "┌─ " + title
    for y, line in enumerate(lines):
        i = line.find(key)
        if i < 0:
            continue
        x = sum(cwidth(c) for c in line[:i])
        rest = line[i:]
        j = rest.find("┐")
        if j < 0:
            return None
        w = sum(cwidth(c) for c in rest[:j + 1])
        for y2 in range(y + 1, len(lines)):
            if cols_slice(lines[y2], x, 1) == "└":
                return w - 2, y2 - y - 1, x + 1, y + 1
        return None
    return None


def cmd_geometry(a):
    """Retried for a few seconds: a capture can fall between a clear and a redraw."""
    tm = Tmux(a.sock)
    try:
        end = time.monotonic() + 5
        while True:
            lines = tm.capture(a.target)
            box = find_box(lines, a.title)
            if box is not None or time.monotonic() > end:
                break
            time.sleep(0.05)
    finally:
        tm.close()
    if box is None:
        print("no box titled %r on the screen:\n%s" % (a.title, "\n".join(lines)), file=sys.stderr)
        return 1
    print(*box)
    return 0


def cmd_stream(a):
    region = parse_region(a.region)
    done = os.path.join(a.ctl, "done.%d" % a.conn)
    tm = Tmux(a.sock)
    try:
        fd = os.open(os.path.join(a.ctl, "start"), os.O_WRONLY)
        t0 = time.monotonic()
        os.write(fd, b"g")
        os.close(fd)
        deadline = t0 + a.timeout
        while not os.path.exists(done):
            if time.monotonic() > deadline:
                raise SystemExit("stream: the reader did not take all the bytes within %g s" % a.timeout)
            time.sleep(0.005)
        with open(done) as f:
            t_sent = float(f.read().split()[1])
        last, changed = None, None
        while True:
            now = time.monotonic()
            text = region_text(tm, a.target, region)
            after = time.monotonic()
            if text != last:
                last, changed = text, after
            elif any(a.marker in l for l in text) and after - changed >= a.idle:
                break
            if now > deadline:
                raise SystemExit("stream: no idle screen with %s within %g s; last screen:\n%s"
                                 % (a.marker, a.timeout, "\n".join(text)))
            time.sleep(a.poll)
    finally:
        tm.close()
    print("%.3f %.3f" % (changed - t0, t_sent - t0))
    return 0


def cmd_latency(a):
    panes = [(n, t, parse_region(r)) for n, t, r in a.pane]
    rnd = random.Random(a.seed)
    tm = Tmux(a.sock)
    lat = {n: [] for n, _, _ in panes}
    capt = []
    letters = "abcdefghijklmnopqrstuvwxyz"

    def shows(target, region, want):
        t = time.monotonic()
        text = region_text(tm, target, region)
        capt.append(time.monotonic() - t)
        return any(l.rstrip().endswith(want) for l in text)

    def wait(target, region, want, present, limit):
        end = time.monotonic() + limit
        while shows(target, region, want) != present:
            if time.monotonic() > end:
                raise SystemExit("latency: %r did not %s in %s within %g s; screen:\n%s" % (
                    want, "appear" if present else "go away", target, limit,
                    "\n".join(region_text(tm, target, region))))
            time.sleep(a.poll)
        return time.monotonic()

    try:
        last = ""
        turn = 0
        while any(len(v) < a.keys for v in lat.values()):
            name, target, region = panes[turn % len(panes)]
            turn += 1
            if len(lat[name]) >= a.keys:
                continue
            tm.cmd("send-keys -t %s C-u" % target)
            if last:
                wait(target, region, a.prompt + last, False, 10)
            time.sleep(0.1)
            typed = ""
            for _ in range(min(a.seg, a.keys - len(lat[name]))):
                k = rnd.choice(letters)
                typed += k
                t0 = time.monotonic()
                tm.cmd("send-keys -t %s -l %s" % (target, k))
                t1 = wait(target, region, a.prompt + typed, True, 10)
                lat[name].append(t1 - t0)
                time.sleep(rnd.uniform(0.03, 0.08))
            last = typed
        tm.cmd("send-keys -t %s C-u" % panes[0][1])
    finally:
        tm.close()
    for name, _, _ in panes:
        v = sorted(x * 1000 for x in lat[name])
        p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
        print("%s %.1f %.1f %.1f %.1f %.1f %d" % (name, statistics.median(v), p90,
                                                statistics.mean(v), v[0], v[-1], len(v)))
    print("poll %.1f %.2f" % (a.poll * 1000, statistics.median(capt) * 1000))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("geometry")
    g.add_argument("sock")
    g.add_argument("target")
    g.add_argument("title")
    s = sub.add_parser("stream")
    for n in ("sock", "target", "region", "ctl"):
        s.add_argument(n)
    s.add_argument("conn", type=int)
    s.add_argument("marker")
    s.add_argument("--idle", type=float, default=0.5)
    s.add_argument("--poll", type=float, default=0.005)
    s.add_argument("--timeout", type=float, default=900)
    l = sub.add_parser("latency")
    l.add_argument("sock")
    l.add_argument("--pane", nargs=3, action="append", required=True,
                   metavar=("NAME", "TARGET", "REGION"))
    l.add_argument("--keys", type=int, default=200)
    l.add_argument("--seg", type=int, default=16)
    l.add_argument("--poll", type=float, default=0.003)
    l.add_argument("--prompt", default="# ")
    l.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    return {"geometry": cmd_geometry, "stream": cmd_stream, "latency": cmd_latency}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

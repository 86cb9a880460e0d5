#!/usr/bin/env python3
"""Mixed text and ANSI colour for bench/console-throughput, as a guest's serial port
would send it (CRLF line ends). Deterministic (fixed seed).

Lines are drawn from a pool of generated kinds: plain log lines; 16-colour SGR
(31-37, 90-97, and backgrounds); 256-colour (38;5;N / 48;5;N); 24-bit
(38;2;R;G;B / 48;2;...); bold, underline, reverse and resets; long lines
(200-480 columns) that wrap; UTF-8 (accents, Greek, Cyrillic, box drawing) and wide
characters (CJK, Hangul). Each output line starts with its number, so no two lines
are alike. The last line is the marker, after a reset.

Usage: gen-ansi.py --mb N --marker TEXT --out FILE    prints: bytes lines
"""
import argparse
import random

ap = argparse.ArgumentParser()
ap.add_argument("--mb", type=float, default=50)
ap.add_argument("--marker", required=True)
ap.add_argument("--out", required=True)
a = ap.parse_args()

rnd = random.Random(4242)
E = "\x1b["
WORDS = ("kernel virtio net eth0 link up irq timer clocksource tsc sched cpu0 "
         "memory zone dma32 normal pci bus device driver probe block vda mount ext4 "
         "systemd started service login tty serial ttyAMA0 console ready dropbear "
         "accepted connection from port usb hub error warning info debug trace").split()
UTF = ["héllo", "wörld", "naïve", "façade", "Ωμέγα", "αβγδε", "Привет", "мир",
       "─┼─", "│", "┌┐└┘", "→", "•", "½", "€", "µs"]
WIDE = ["漢字", "テスト", "中文字符", "한국어", "日本語の文", "ｗｉｄｅ", "表示"]


def words(n):
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def sgr16():
    return "%s%dm" % (E, rnd.choice(list(range(31, 38)) + list(range(90, 98))))


def kind_plain():
    return "[%6d.%06d] %s" % (rnd.randrange(100000), rnd.randrange(10**6), words(rnd.randint(3, 12)))


def kind_16():
    parts = []
    for _ in range(rnd.randint(2, 6)):
        bg = ("%s%dm" % (E, rnd.choice(list(range(41, 48)) + list(range(100, 108))))
              if rnd.random() < 0.2 else "")
        parts.append(sgr16() + bg + words(rnd.randint(1, 3)) + E + "0m")
    return " ".join(parts)


def kind_256():
    return " ".join("%s38;5;%dm%s" % (E, rnd.randrange(256), w) +
                    (("%s48;5;%dm" % (E, rnd.randrange(256))) if rnd.random() < 0.3 else "")
                    for w in words(rnd.randint(4, 10)).split()) + E + "0m"


def kind_rgb():
    out = []
    for w in words(rnd.randint(4, 10)).split():
        r, g, b = rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)
        bg = ("%s48;2;%d;%d;%dm" % (E, b, r, g)) if rnd.random() < 0.3 else ""
        out.append("%s38;2;%d;%d;%dm%s%s" % (E, r, g, b, bg, w))
    return " ".join(out) + E + "0m"


def kind_attr():
    return (E + "1m" + rnd.choice(WORDS) + E + "22m " + E + "4m" + words(2) + E + "24m " +
            E + "7m" + rnd.choice(WORDS) + E + "27m " + E + "1;" + sgr16()[2:] + words(3) +
            E + "m " + words(rnd.randint(1, 5)))


def kind_long():
    s = []
    while len(s) < rnd.randint(30, 70):
        s.append((sgr16() + rnd.choice(WORDS) + E + "39m") if rnd.random() < 0.3 else rnd.choice(WORDS))
    return " ".join(s)


def kind_utf8():
    s = []
    for _ in range(rnd.randint(4, 12)):
        x = rnd.random()
        s.append(rnd.choice(WIDE) if x < 0.35 else rnd.choice(UTF) if x < 0.7 else rnd.choice(WORDS))
    return (sgr16() if rnd.random() < 0.5 else "") + " ".join(s) + E + "0m"


KINDS = [(kind_plain, 30), (kind_16, 20), (kind_256, 10), (kind_rgb, 10),
         (kind_attr, 8), (kind_long, 7), (kind_utf8, 15)]
funcs = [k for k, w in KINDS for _ in range(w)]
pool = [rnd.choice(funcs)() for _ in range(20000)]

target = int(a.mb * 1000 * 1000)
written = lines = 0
with open(a.out, "w", encoding="utf-8", newline="") as f:
    while written < target:
        chunk = []
        for line in rnd.choices(pool, k=200):
            lines += 1
            chunk.append("%07d %s\r\n" % (lines, line))
        block = "".join(chunk)
        f.write(block)
        written += len(block.encode("utf-8"))
    tail = "%s0m\r\n%s\r\n" % (E, a.marker)
    f.write(tail)
    written += len(tail.encode())
    lines += 2
print(written, lines)

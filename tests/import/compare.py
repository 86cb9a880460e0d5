#!/usr/bin/env python3
"""Compare a QEMU line (as written in a script, Makefile or log) with the argv that
`qemu-tui cmdline` gives for its imported profile, option by option.

usage: compare.py SOURCE_FILE CMDLINE_OUTPUT_FILE BASE_DIR
Every option of the source must be in the output with an equivalent value, except
those qemu-tui provides itself; prints each difference and exits 1 on any."""
import os
import re
import shlex
import sys

OWNED = {"-serial", "-monitor", "-qmp", "-chardev", "-mon", "-pidfile", "-daemonize", "-name"}
NO_ARG = {"-nographic", "-snapshot", "-enable-kvm", "-no-reboot", "-no-shutdown", "-usb",
          "-S", "-s", "-daemonize", "-nodefaults", "-no-hpet", "-no-acpi", "-full-screen",
          "-no-user-config", "-no-fd-bootchk"}


def source_words(path):
    text = open(path).read().replace("\\\n", "")
    for line in text.splitlines():
        if "qemu-system-" not in line:
            continue
        words = shlex.split(line, comments=True)
        words = [w[2:-2] if w.startswith("\\'") and w.endswith("\\'") else w for w in words]
        i = next(i for i, w in enumerate(words) if os.path.basename(w).startswith("qemu-system-"))
        out = []
        for w in words[i:]:
            if w in ("|", "||", "&&", ";", "&"):
                break
            if re.match(r"^[0-9&]*[<>]", w):
                continue
            out.append(w)
        return out
    sys.exit("no qemu-system line in " + path)


def pairs(words):
    out, i = [], 1
    while i < len(words):
        o = words[i]
        if not o.startswith("-"):
            out.append(("-drive", "file=" + o))
            i += 1
            continue
        o = "-" + o.lstrip("-")
        if o in NO_ARG:
            out.append((o, None))
            i += 1
        else:
            out.append((o, words[i + 1] if i + 1 < len(words) else None))
            i += 2
    return out


def kv(s, implied):
    d = {}
    for n, part in enumerate(s.replace(",,", "\0").split(",")):
        part = part.replace("\0", ",")
        if "=" in part:
            k, v = part.split("=", 1)
        elif n == 0 and implied:
            k, v = implied, part
        else:
            k, v = part, "on"
        d[k] = v
    return d


def absd(base, f):
    return f if f.startswith("/") or "://" in f else os.path.normpath(os.path.join(base, f))


def main():
    src, out, base = sys.argv[1:4]
    arch = os.path.basename(source_words(src)[0])[len("qemu-system-"):]
    got = pairs(shlex.split(open(out).read().replace("\\\n", "")))
    want = pairs(source_words(src))
    bad = []
    got_drives = [kv(v, None) for o, v in got if o == "-drive"]
    got_files = {absd(base, d.get("file", "")) for d in got_drives if "file" in d}

    def have(o, v=None):
        return any(go == o and (v is None or gv == v) for go, gv in got)

    netdevs = {}
    for o, v in want:
        if o == "-netdev":
            d = kv(v, "type")
            netdevs[d.get("id")] = d
    for o, v in want:
        if o in OWNED:
            continue
        if o == "-nographic":
            ok = have("-display", "none")
        elif o == "-enable-kvm":
            ok = have("-accel", "kvm")
        elif o in ("-machine", "-M"):
            d = kv(v, "type")
            acc = d.pop("accel", None)
            m = ",".join([d.pop("type")] + ["%s=%s" % kv2 for kv2 in d.items()])
            ok = have("-machine", m) and (acc is None or ":" in acc or have("-accel", acc))
        elif o == "-m":
            size = kv(v, "size").get("size")
            ok = have("-m", size + "M" if size.isdigit() else size)
        elif o == "-smp":
            d = kv(v, "cpus")
            n = int(d["cpus"]) if "cpus" in d else eval("*".join(
                d[k] for k in ("sockets", "dies", "clusters", "cores", "threads") if k in d) or "1")
            ok = have("-smp", str(n))
        elif o in ("-kernel", "-initrd", "-bios"):
            ok = have(o, absd(base, v))
        elif o in ("-drive", "-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-fda", "-fdb"):
            d = kv(v, None) if o == "-drive" else {"file": v}
            if o == "-cdrom":
                d["media"] = "cdrom"
            f = absd(base, d["file"])
            # A path holding $VAR stays as written: relative to the profile, whatever it is.
            match = [g for g in got_drives if absd(base, g.get("file", "")) == f or
                     ("$" in d["file"] and g.get("file", "").endswith("/" + d["file"]))]
            ok = bool(match) and all(match[0].get(k) == d[k] for k in ("format", "media", "readonly")
                                    if k in d and d[k] != "on") \
                or (o == "-drive" and have("-drive", v))
            if not ok and d.get("if") == "pflash" and d.get("readonly") == "on":
                ok = f in got_files
        elif o == "-netdev":
            d = kv(v, "type")
            g = [kv(gv, "type") for go, gv in got if go == "-netdev"]
            ok = have("-netdev", v) or any(
                x.get("type") == d.get("type") and x.get("ifname") == d.get("ifname") and
                {h.split(":", 1)[1].split("-")[0].split(":")[-1] + "-" + h.split("-:")[-1]
                 for h in [d.get("hostfwd")] if h} <=
                {h.split(":", 1)[1].split("-")[0].split(":")[-1] + "-" + h.split("-:")[-1]
                 for h in [x.get("hostfwd")] if h} for x in g)
        elif o in ("-net", "-nic"):
            d = kv(v, "type")
            if d["type"] == "nic":
                ok = "model" not in d or any(go == "-device" and gv.startswith(d["model"] + ",")
                                             for go, gv in got)
            elif d["type"] == "user":
                fw = d.get("hostfwd")
                ok = have(o, v) or any(go == "-netdev" and gv.startswith("user,") and
                                       (fw is None or fw.split("-:")[-1] in gv and
                                        ":" + fw.split(":")[2].split("-")[0] + "-" in gv)
                                       for go, gv in got)
                if "model" in d:
                    ok = ok and any(go == "-device" and gv.startswith(d["model"] + ",")
                                    for go, gv in got)
            else:
                ok = have(o, v)
        elif o == "-device":
            d = kv(v, "driver")
            if d.get("netdev") in netdevs and not have("-device", v):
                # A NIC without mac= gets qemu-tui's stable one (from the profile's name)
                # where QEMU gave its fixed default: the same NIC either way.
                want_nic = {k: x for k, x in d.items() if k != "netdev"}
                ok = any(go == "-device" and {k: x for k, x in kv(gv, "driver").items()
                                               if k != "netdev" and (k != "mac" or "mac" in d)}
                         == want_nic for go, gv in got)
            else:
                ok = have("-device", v)
        else:
            ok = have(o, v)
        if not ok:
            bad.append("%s %s" % (o, v if v is not None else ""))
    for b in bad:
        print("missing or different in the imported argv: " + b)
    print("%s (%s): %d options compared, %d different" % (os.path.basename(src), arch, len(want), len(bad)))
    sys.exit(1 if bad else 0)


main()

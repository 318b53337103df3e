#!/usr/bin/env python3
"""Writes the xenstored fuzzers' seed corpora (tests/fuzz/corpus/xenstored_{ring,socket}/).

The inputs follow fuzz_engine.c's command format and the socket harness's chunks; every
argument is spelled out (not taken from the engine's dictionary), so they stay valid when
the dictionary changes. Run from the project root.
"""
import os
import struct

XS = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
          TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
          GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
          WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18,
          SET_TARGET=19, RESET_WATCHES=21, DIRECTORY_PART=22)
TOOL0, TOOL1, KERNEL0, GUEST5, GUEST6, GUEST7 = range(6)


def frame(kind, args, req_id=1, tx=0, value=None):
    """A wire message: NUL-terminated args, then a WRITE's value without NUL."""
    body = b"".join(a.encode() + b"\0" for a in args)
    if value is not None:
        body += value.encode()
    return struct.pack("<IIII", XS[kind], req_id, tx, len(body)) + body


def request(who, kind, args, tx=0, value=None):
    """An engine command that builds a request from raw (not dictionary) arguments."""
    words = list(args) + ([value] if value is not None else [])
    assert len(words) <= 4 and tx < 4
    out = bytes([0, who, len(words), tx, XS[kind]])
    for w in words:
        w = w.encode()
        assert len(w) < 64
        out += bytes([0xf0, len(w)]) + w
    return out


def poke(who, field, value):
    return bytes([4, who, field]) + struct.pack(">I", value)


def turn(n=1):
    return bytes([8, 0, n])


def take(who, n):
    return bytes([5, who, n])


def domain_event(who, state, flags=0):
    return bytes([6, who | flags, state])


def introduce(who):
    return bytes([9, who, 0])


def release(who):
    return bytes([9, who, 1])


RING = {
    "guest-basics": [0] + [
        request(GUEST5, "WRITE", ["data/x"], value="hello"),
        request(GUEST5, "READ", ["data/x"]),
        request(GUEST5, "DIRECTORY", ["data"]),
        request(GUEST5, "GET_PERMS", ["data/x"]),
        request(GUEST5, "SET_PERMS", ["data/x", "n5", "r6"]),
        request(GUEST6, "READ", ["/local/domain/5/data/x"]),
        request(GUEST5, "MKDIR", ["data/a/b"]),
        request(GUEST5, "RM", ["data/a"]),
        request(GUEST5, "GET_DOMAIN_PATH", ["5"]),
        take(GUEST5, 255), take(GUEST6, 255),
    ],
    "guest-transaction": [0] + [
        request(GUEST5, "TRANSACTION_START", [""]),
        request(GUEST5, "WRITE", ["data/t"], tx=1, value="1"),
        request(GUEST5, "READ", ["data/t"], tx=1),
        request(TOOL0, "WRITE", ["/local/domain/5/data/u"], value="2"),
        request(GUEST5, "TRANSACTION_END", ["T"], tx=1),
        request(GUEST5, "TRANSACTION_START", [""]),
        request(GUEST5, "RM", ["data"], tx=2),
        request(GUEST5, "TRANSACTION_END", ["F"], tx=2),
        take(GUEST5, 255),
    ],
    # The audit's finding 9: a stale view, then XS_RM of the child.
    "stale-view-rm": [1] + [
        request(GUEST5, "WRITE", ["data/p/c"], value="x"),
        request(GUEST5, "TRANSACTION_START", [""]),
        request(GUEST5, "READ", ["data/p/c"], tx=1),
        request(GUEST5, "RM", ["data/p"]),
        request(GUEST5, "RM", ["data/p/c"], tx=1),
        request(GUEST5, "TRANSACTION_END", ["T"], tx=1),
    ],
    "watches": [0] + [
        request(GUEST5, "WATCH", ["data", "w1"]),
        request(TOOL0, "WATCH", ["/local/domain/5", "dom0"]),
        request(KERNEL0, "WATCH", ["@releaseDomain", "rel"]),
        request(GUEST5, "WRITE", ["data/y"], value="1"),
        request(TOOL0, "RM", ["/local/domain/5/data"]),
        request(GUEST5, "UNWATCH", ["data", "w1"]),
        request(GUEST5, "RESET_WATCHES", []),
        take(GUEST5, 255), take(KERNEL0, 255),
    ],
    "domains": [0] + [
        request(TOOL1, "WATCH", ["@introduceDomain", "in"]),
        introduce(GUEST7),
        request(GUEST7, "WRITE", ["data/z"], value="7"),
        domain_event(GUEST7, 1),
        domain_event(GUEST6, 3),
        request(TOOL0, "IS_DOMAIN_INTRODUCED", ["6"]),
        release(GUEST7),
        request(TOOL0, "RESUME", ["5"]),
        request(TOOL0, "CONTROL", ["print", "hi"]),
    ],
    "hostile-indices": [0] + [
        request(GUEST5, "WRITE", ["data/x"], value="1"),
        poke(GUEST5, 0, 5000),
        turn(2),
        poke(GUEST6, 3, 0xffffff00),
        request(GUEST6, "READ", ["data"]),
        poke(KERNEL0, 4, 17),
        poke(GUEST6, 7, 0x12345678),
        introduce(GUEST5),
    ],
    "quota-small": [1] + [
        request(GUEST5, "TRANSACTION_START", [""]),
    ] + [request(GUEST5, "WRITE", ["data/n%d" % i], tx=1, value="v") for i in range(30)] + [
        request(GUEST5, "TRANSACTION_END", ["T"], tx=1),
    ] + [request(GUEST5, "WATCH", ["data/%d" % i, "t"]) for i in range(6)],
}


def chunk(who, data):
    """The socket harness's chunk of a tool's stream (who: 0 or 1)."""
    out = b""
    while data:
        part, data = data[:1023], data[1023:]
        out += bytes([who | (len(part) >> 8) << 4, len(part) & 0xff]) + part
    return out


SOCKET = {
    "tool-basics": bytes([0]) + chunk(0, b"".join([
        frame("WRITE", ["/tool/x"], value="1"),
        frame("READ", ["/tool/x"], 2),
        frame("MKDIR", ["/tool/d"], 3),
        frame("DIRECTORY", ["/tool"], 4),
        frame("DIRECTORY_PART", ["/tool", "0"], 5),
        frame("SET_PERMS", ["/tool/x", "n0", "r5"], 6),
        frame("GET_PERMS", ["/tool/x"], 7),
        frame("RM", ["/tool"], 8),
        frame("GET_DOMAIN_PATH", ["5"], 9),
        frame("CONTROL", ["check"], 10),
    ])),
    "tool-transactions": bytes([0]) + chunk(0, frame("TRANSACTION_START", [""]))
    + chunk(1, frame("TRANSACTION_START", [""])) + chunk(0, b"".join([
        frame("WRITE", ["/t/a"], 2, 1, "1"),
        frame("READ", ["/t/a"], 3, 1),
    ])) + chunk(1, frame("WRITE", ["/t/a"], 2, 1, "2")) + chunk(0, frame(
        "TRANSACTION_END", ["T"], 4, 1)) + chunk(1, frame("TRANSACTION_END", ["T"], 3, 1)),
    "tool-watch-guest": bytes([0]) + chunk(0, frame("WATCH", ["/local/domain/5", "w"]))
    + bytes([2]) + request(GUEST5, "WRITE", ["data/g"], value="1")[2:]
    + chunk(1, frame("INTRODUCE", ["7", "4103", "1"]))
    + chunk(0, frame("RELEASE", ["7"])),
    "tool-split-header": bytes([0]) + chunk(0, frame("READ", ["/local"])[:7])
    + chunk(0, frame("READ", ["/local"])[7:]) + chunk(1, struct.pack("<IIII", 2, 1, 0, 5000)),
    "tool-big": bytes([1]) + chunk(0, frame("WRITE", ["/big"], value="v" * 3000))
    + chunk(0, frame("READ", ["/big"], 2)),
}


def main():
    for name, corpus in (("xenstored_ring", RING), ("xenstored_socket", SOCKET)):
        path = os.path.join("tests/fuzz/corpus", name)
        os.makedirs(path, exist_ok=True)
        for seed, parts in corpus.items():
            data = parts if isinstance(parts, bytes) else \
                bytes([parts[0]]) + b"".join(parts[1:])
            with open(os.path.join(path, seed), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""A minimal Redis client for the test and benchmark helpers: one command per connection."""
import socket


def connect(address):
    """address: a unix socket path, or (host, port)."""
    if isinstance(address, str):
        s = socket.socket(socket.AF_UNIX)
    else:
        s = socket.socket(socket.AF_INET)
    s.connect(address)
    return s


def redis(address, *args):
    """Sends one command; returns the reply as Python values (str, int, list, None). The
    connection is closed on return (the file is closed too: the recursive reader would keep it
    open until the garbage collector came)."""
    with connect(address) as s, s.makefile("rb") as f:
        s.sendall(("*%d\r\n" % len(args) + "".join(
            "$%d\r\n%s\r\n" % (len(a.encode()), a) for a in map(str, args))).encode())

        def read():
            line = f.readline().rstrip(b"\r\n")
            kind, rest = line[:1], line[1:]
            if kind == b"$":
                n = int(rest)
                return None if n < 0 else f.read(n + 2)[:-2].decode()
            if kind == b"*":
                n = int(rest)
                return None if n < 0 else [read() for _ in range(n)]
            if kind == b":":
                return int(rest)
            if kind == b"-":
                raise RuntimeError(rest.decode())
            return rest.decode()

        return read()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A proxy between rbarrier and redis-server on unix sockets that injects faults on command.

    faultproxy.py LISTEN_SOCKET UPSTREAM_SOCKET CONTROL_SOCKET

Control lines (each answered with "ok"):
    cut all                    close every client connection
    cut readers                close the connections that sent XREAD
    cut-after-request TEXT     the next request containing TEXT reaches the server, but its
                               client connection is closed before the reply comes back
    cut-reply TEXT             the next server-to-client data containing TEXT is not delivered:
                               that client connection is closed instead
    stall on|off               stop (and resume) relaying in both directions
    stall-after-reply TEXT     relay the next server-to-client data containing TEXT, then stall
    refuse on|off              close new connections as soon as they are accepted
    refuse until MS            refuse them until MS milliseconds after the epoch (the clock of
                               `date +%s%N`): the proxy switches itself back on time, where a
                               control command started then could come late
    count                      answers with the number of connections accepted so far
Test helper only: loopback unix sockets, no network.
"""
import asyncio
import math
import sys
import time


class Proxy:
    def __init__(self, upstream):
        self.upstream = upstream
        self.connections = []  # [client_writer, server_writer, is_reader]
        self.cut_after_request = None
        self.cut_reply = None
        self.stall_after_reply = None
        self.stalled = asyncio.Event()
        self.stalled.set()  # set: relaying
        self.refuse_until = 0.0  # epoch milliseconds; math.inf: refused until told otherwise
        self.accepted = 0

    async def client(self, reader, writer):
        self.accepted += 1
        if time.time() * 1000 < self.refuse_until:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)
        except OSError:
            writer.close()
            return
        conn = [writer, up_writer, False]
        self.connections.append(conn)
        await asyncio.gather(self.pump(reader, up_writer, conn, True),
                             self.pump(up_reader, writer, conn, False),
                             return_exceptions=True)
        self.close(conn)

    def close(self, conn):
        for w in conn[:2]:
            try:
                w.close()
            except Exception:
                pass
        if conn in self.connections:
            self.connections.remove(conn)

    async def pump(self, reader, writer, conn, to_server):
        while True:
            data = await reader.read(65536)
            if not data:
                self.close(conn)
                return
            await self.stalled.wait()
            if conn not in self.connections:
                return
            if to_server:
                if b"XREAD" in data:
                    conn[2] = True
                writer.write(data)
                await writer.drain()
                if self.cut_after_request and self.cut_after_request in data:
                    self.cut_after_request = None
                    # the server gets the request; the client never sees the reply
                    conn[0].close()
                    self.connections.remove(conn)
                    await asyncio.sleep(0.5)
                    conn[1].close()
                    return
            else:
                if self.cut_reply and self.cut_reply in data:
                    self.cut_reply = None
                    self.close(conn)
                    return
                writer.write(data)
                await writer.drain()
                if self.stall_after_reply and self.stall_after_reply in data:
                    self.stall_after_reply = None
                    self.stalled.clear()

    async def control(self, reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                return
            words = line.decode().split(maxsplit=1)
            command, arg = words[0], (words[1].strip() if len(words) > 1 else "")
            answer = "ok"
            if command == "cut":
                for conn in list(self.connections):
                    if arg == "all" or conn[2]:
                        self.close(conn)
            elif command == "cut-after-request":
                self.cut_after_request = arg.encode()
            elif command == "cut-reply":
                self.cut_reply = arg.encode()
            elif command == "stall-after-reply":
                self.stall_after_reply = arg.encode()
            elif command == "stall":
                (self.stalled.clear if arg == "on" else self.stalled.set)()
            elif command == "refuse":
                words = arg.split()
                if words[0] == "until":
                    self.refuse_until = float(words[1])
                else:
                    self.refuse_until = math.inf if arg == "on" else 0.0
            elif command == "count":
                answer = str(self.accepted)
            else:
                answer = "unknown command"
            writer.write((answer + "\n").encode())
            await writer.drain()


async def main():
    listen, upstream, control = sys.argv[1:4]
    proxy = Proxy(upstream)
    server = await asyncio.start_unix_server(proxy.client, listen)
    control_server = await asyncio.start_unix_server(proxy.control, control)
    async with server, control_server:
        await asyncio.gather(server.serve_forever(), control_server.serve_forever())


if __name__ == "__main__":
    asyncio.run(main())

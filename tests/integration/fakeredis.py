#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fake Redis server on a unix socket that answers every command the same broken way.

    fakeredis.py SOCKET MODE

MODE: garbage (bytes that are not RESP), truncated (half a reply, then close), huge-bulk (a bulk
string that announces 99999999999 bytes, then nothing), huge-array (an array announcing 99999999
elements), close (close at once), loading (-LOADING to everything), wrong-type (an integer where
an array is expected). Test helper only: a unix socket, no network.
"""
import asyncio
import sys

REPLIES = {
    "garbage": b"HTTP/1.1 400 Bad Request\r\n\r\n",
    "truncated": b"*6\r\n$7\r\nwaiting\r\n$1\r\n1\r\n$1",
    "huge-bulk": b"$99999999999\r\n",
    "huge-array": b"*99999999\r\n",
    "loading": b"-LOADING Redis is loading the dataset in memory\r\n",
    "wrong-type": b":42\r\n",
}


async def serve(mode, reader, writer):
    try:
        if mode == "close":
            return
        while True:
            data = await reader.read(65536)
            if not data:
                return
            writer.write(REPLIES[mode])
            await writer.drain()
            if mode == "truncated":
                return
    finally:
        writer.close()


async def main():
    path, mode = sys.argv[1:3]
    if mode not in REPLIES and mode != "close":
        sys.exit(f"unknown mode {mode}")
    server = await asyncio.start_unix_server(lambda r, w: serve(mode, r, w), path)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

"""Non-Node WebSocket client (Debian's python3-websockets): checks error frames, close codes and
reasons, and the HTTP problem answer to a refused upgrade. Prints one JSON object.

Usage: ws_client.py PORT
"""
import asyncio
import json
import sys

import websockets


async def main(port):
    url = "ws://127.0.0.1:%s/" % port
    out = {}
    async with websockets.connect(url, extra_headers={"Authorization": "Bearer good"}) as ws:
        await ws.send("validation")
        out["frame"] = json.loads(await ws.recv())
        await ws.send("hello")
        out["echo"] = await ws.recv()
        await ws.send("refused")
        try:
            await ws.recv()
        except websockets.exceptions.ConnectionClosed as closed:
            out["close_code"] = closed.rcvd.code if closed.rcvd else None
            out["close_reason"] = closed.rcvd.reason if closed.rcvd else None
    try:
        async with websockets.connect(url, extra_headers={"Authorization": "Bearer nope"}):
            out["rejected"] = False
    except websockets.exceptions.InvalidStatusCode as refused:
        out["rejected_status"] = refused.status_code
        out["rejected_headers"] = {k.lower(): v for k, v in refused.headers.raw_items()}
    print(json.dumps(out))


asyncio.run(main(sys.argv[1]))

#!/usr/bin/env python3
"""Record the observer transcript (issue 10): a watcher sees prompts it did not submit.

Uses the fixture recorder in ../shared/comfyui-server/record.py (same line format). The
watcher connects with its own client id; another program submits two prompts over plain
HTTP, unrecorded and without a socket: one without a client_id (its progress is broadcast)
and one with another client's id (nothing of it reaches the watcher but status counts).
The watcher does what comfysh does: when a status frame counts more prompts than it knows,
it asks GET /queue; when the queue is empty again it asks each prompt's history.

    ~/comfyui-venv/bin/python scripts/record-observer.py --recorder ../shared/comfyui-server/record.py \\
        --server http://127.0.0.1:8188 --out Tests/Fixtures/comfyui
"""
import argparse
import asyncio
import importlib.util
import json
import os

import aiohttp


def load_recorder(path):
    spec = importlib.util.spec_from_file_location("record", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def observer_two_clients(rec, r):
    watcher = rec.new_client_id()
    other = rec.new_client_id()
    c = await r.connect(watcher)
    await r.wait_for(lambda m: m.get("type") == "feature_flags", 0, 10, c)
    s = r.mark()
    r.note("another program submits two prompts over HTTP: one without client_id, one as client %s" % other)
    async with aiohttp.ClientSession() as other_http:
        async def post(body):
            async with other_http.post(r.base + "/prompt", data=json.dumps(body),
                                       headers={"Content-Type": "application/json"}) as resp:
                return (await resp.json())["prompt_id"]
        anonymous = await post({"prompt": rec.g_progress(rec.fresh_seed(), steps=6, delay=0.15)})
        foreign = await post({"prompt": rec.g_progress(rec.fresh_seed(), steps=4, delay=0.1), "client_id": other})
    await r.wait_for(lambda m: m.get("type") == "status"
                     and m["data"]["status"]["exec_info"]["queue_remaining"] == 2, s, 30)
    r.note("the status frame counts prompts the watcher does not know: it asks the queue")
    await r.http("GET", "/queue")
    s = r.mark()
    await r.wait_for(lambda m: m.get("type") == "status"
                     and m["data"]["status"]["exec_info"]["queue_remaining"] == 1, s, 60)
    r.note("one fewer: the queue says which left")
    await r.http("GET", "/queue")
    await r.http("GET", "/history/" + anonymous)
    await r.wait_idle(s, 60)
    r.note("the queue is empty: history says how the other ended")
    await r.http("GET", "/queue")
    await r.http("GET", "/history/" + foreign)
    await r.quiet(0.3)


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recorder", required=True)
    ap.add_argument("--server", default="http://127.0.0.1:8188")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rec = load_recorder(a.recorder)
    rec.ensure_loopback(a.server)
    await rec.wait_server_idle(a.server)
    meta = await rec.server_meta(a.server)
    meta["server"] = "127.0.0.1:" + a.server.rsplit(":", 1)[-1].strip("/")
    meta["recorder"] = "python websocket recorder (scripts/record-observer.py)"
    async with rec.Recorder(a.server, "observer_two_clients") as r:
        await asyncio.wait_for(observer_two_clients(rec, r), 120)
    path = r.write(a.out, meta)
    print("%s %d lines %d bytes" % (path, len(r.lines) + 1, os.path.getsize(path)))


if __name__ == "__main__":
    asyncio.run(main())

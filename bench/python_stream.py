#!/usr/bin/env python3
"""Python baseline for `comfysh-bench stream`: a Python client's receive loop on a live socket.

Usage: python_stream.py URL --sentinel N [--prompt-id ID] [--skip-utf8-validation]
                        [--client websocket-client|websockets|aiohttp]

Connects to URL with websocket-client (PyPI: `python3 -m pip install websocket-client`)
the way ComfyUI's script_examples/websockets_api_example.py does (`websocket.WebSocket()`,
`ws.connect(url)`, `ws.recv()` in a loop), and runs that example's loop with the dict
updates a client keeps (the same as bench/python_decode.py's client pass): json.loads
every text frame, look at msg['type'], note an `executing` with node None for our prompt,
keep progress, progress_state and queue_remaining in dicts; binary frames (previews) are
skipped, as the example skips them. It stops at the sentinel: a `status` frame whose
queue_remaining is N.

With --skip-utf8-validation, websocket-client does not check text frames' UTF-8 (by
default it does, in pure Python unless wsaccel is installed): a faster client than the
example, for a generous baseline.

--client picks the WebSocket library, for the fastest Python client we can build (the same
loop body in each): websocket-client (the default, what the example uses), `websockets`
(asyncio, with its C speed-ups for masking and UTF-8) or aiohttp (asyncio, with its C
WebSocket reader). bench/setup.sh installs all three.

Prints one JSON line: {"frames": F, "end_ns": T, "python": "3.x.y", "websocket_client": "v"}
where T is time.monotonic_ns() when the sentinel was processed (CLOCK_MONOTONIC, the clock
comfysh-bench reads too); "websocket_client" is the chosen library and its version. Exits
with status 3 and a hint if the library is missing.
"""

import argparse
import json
import platform
import sys
import time

PACKAGES = {'websocket-client': 'websocket-client', 'websockets': 'websockets', 'aiohttp': 'aiohttp'}


class Client:
    """The example's loop body: json.loads and the dict updates, one frame at a time."""

    def __init__(self, prompt_id, sentinel):
        self.loads = json.loads
        self.prompt_id = prompt_id
        self.sentinel = sentinel
        self.progress = {}        # node -> (value, max)
        self.progress_state = {}  # prompt id -> nodes dict
        self.queue_remaining = None
        self.finished = 0
        self.frames = 0

    def frame(self, out):
        """Handles one frame; True at the sentinel."""
        self.frames += 1
        if not isinstance(out, str):
            return False  # a preview: the example client skips binary frames
        try:
            message = self.loads(out)
            kind = message['type']
            if kind == 'executing':
                data = message['data']
                if data['node'] is None and data['prompt_id'] == self.prompt_id:
                    self.finished += 1  # the example breaks out of its loop here
            elif kind == 'progress':
                data = message['data']
                self.progress[data.get('node')] = (data['value'], data['max'])
            elif kind == 'progress_state':
                data = message['data']
                self.progress_state[data['prompt_id']] = data['nodes']
            elif kind == 'status':
                self.queue_remaining = message['data']['status']['exec_info']['queue_remaining']
                if self.queue_remaining == self.sentinel:
                    return True
        except (ValueError, KeyError, TypeError):
            pass  # a malformed frame: a client would log it and go on
        return False


def run_websocket_client(args, client):
    import websocket  # websocket-client
    ws = websocket.WebSocket(skip_utf8_validation=args.skip_utf8_validation)
    ws.connect(args.url)
    recv = ws.recv
    frame = client.frame
    while not frame(recv()):
        pass
    end = time.monotonic_ns()
    ws.close()
    return end, getattr(websocket, '__version__', '?')


def run_websockets(args, client):
    import asyncio
    import websockets
    from websockets.asyncio.client import connect

    async def main():
        # No size cap (progress_state of a large graph is big), no compression (the
        # server offers none), as the other clients.
        async with connect(args.url, max_size=None, compression=None) as ws:
            frame = client.frame
            async for message in ws:
                if frame(message):
                    return time.monotonic_ns()
        raise SystemExit('the stream ended before the sentinel')

    return asyncio.run(main()), websockets.__version__


def run_aiohttp(args, client):
    import asyncio
    import aiohttp

    async def main():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(args.url, max_msg_size=0, compress=0, autoping=True) as ws:
                frame = client.frame
                text, binary = aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY
                receive = ws.receive
                while True:
                    message = await receive()
                    if message.type is text or message.type is binary:
                        if frame(message.data):
                            return time.monotonic_ns()
                    else:
                        raise SystemExit('the stream ended before the sentinel: %s' % message.type)

    return asyncio.run(main()), aiohttp.__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('--sentinel', type=int, required=True)
    parser.add_argument('--prompt-id', default='')
    parser.add_argument('--skip-utf8-validation', action='store_true')
    parser.add_argument('--client', choices=sorted(PACKAGES), default='websocket-client')
    args = parser.parse_args()

    client = Client(args.prompt_id, args.sentinel)
    run = {'websocket-client': run_websocket_client, 'websockets': run_websockets, 'aiohttp': run_aiohttp}[args.client]
    try:
        end, version = run(args, client)
    except ImportError:
        sys.stderr.write('python_stream.py: the %s module is missing; install it with: '
                         'python3 -m pip install %s (or bench/setup.sh)\n' % (args.client, PACKAGES[args.client]))
        sys.exit(3)
    print(json.dumps({
        'frames': client.frames,
        'end_ns': end,
        'finished': client.finished,
        'python': platform.python_version(),
        'websocket_client': '%s %s' % (args.client, version),
    }))


if __name__ == '__main__':
    main()

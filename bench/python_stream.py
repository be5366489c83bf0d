#!/usr/bin/env python3
"""Python baseline for `comfysh-bench stream`: a Python client's receive loop on a live socket.

Usage: python_stream.py URL --sentinel N [--prompt-id ID] [--skip-utf8-validation]

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

Prints one JSON line: {"frames": F, "end_ns": T, "python": "3.x.y", "websocket_client": "v"}
where T is time.monotonic_ns() when the sentinel was processed (CLOCK_MONOTONIC, the clock
comfysh-bench reads too). Exits with status 3 and a hint if websocket-client is missing.
"""

import argparse
import json
import platform
import sys
import time

try:
    import websocket  # websocket-client
except ImportError:
    sys.stderr.write('python_stream.py: the websocket-client module is missing; '
                     'install it with: python3 -m pip install websocket-client\n')
    sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('--sentinel', type=int, required=True)
    parser.add_argument('--prompt-id', default='')
    parser.add_argument('--skip-utf8-validation', action='store_true')
    args = parser.parse_args()

    ws = websocket.WebSocket(skip_utf8_validation=args.skip_utf8_validation)
    ws.connect(args.url)

    loads = json.loads
    prompt_id = args.prompt_id
    progress = {}        # node -> (value, max)
    progress_state = {}  # prompt id -> nodes dict
    queue_remaining = None
    finished = 0
    frames = 0
    while True:
        out = ws.recv()
        frames += 1
        if not isinstance(out, str):
            continue  # a preview: the example client skips binary frames
        try:
            message = loads(out)
            kind = message['type']
            if kind == 'executing':
                data = message['data']
                if data['node'] is None and data['prompt_id'] == prompt_id:
                    finished += 1  # the example breaks out of its loop here
            elif kind == 'progress':
                data = message['data']
                progress[data.get('node')] = (data['value'], data['max'])
            elif kind == 'progress_state':
                data = message['data']
                progress_state[data['prompt_id']] = data['nodes']
            elif kind == 'status':
                queue_remaining = message['data']['status']['exec_info']['queue_remaining']
                if queue_remaining == args.sentinel:
                    break
        except (ValueError, KeyError, TypeError):
            pass  # a malformed frame: a client would log it and go on
    end = time.monotonic_ns()
    ws.close()
    print(json.dumps({
        'frames': frames,
        'end_ns': end,
        'finished': finished,
        'python': platform.python_version(),
        'websocket_client': getattr(websocket, '__version__', '?'),
    }))


if __name__ == '__main__':
    main()

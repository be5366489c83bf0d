#!/bin/sh
# Installs what comfysh-bench's Python baselines need, from PyPI:
# * websocket-client: the WebSocket library ComfyUI's own example client
#   (script_examples/websockets_api_example.py) uses;
# * websockets (asyncio, with its C speed-ups) and aiohttp (asyncio, with its C WebSocket
#   reader): the other two clients of the stream figure, for the fastest Python client
#   we can build.
# bench/python_decode.py and bench/python_replay.py need only the standard library.
set -e
python3 -c 'import websocket, websockets, websockets.speedups, aiohttp' 2>/dev/null && exit 0
python3 -m pip install --quiet websocket-client websockets aiohttp

#!/bin/sh
# Installs what comfysh-bench's Python baseline needs: websocket-client, the WebSocket
# library ComfyUI's own example client (script_examples/websockets_api_example.py) uses.
# bench/python_decode.py needs only the standard library.
set -e
python3 -c 'import websocket' 2>/dev/null && exit 0
python3 -m pip install --quiet websocket-client

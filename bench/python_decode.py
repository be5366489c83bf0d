#!/usr/bin/env python3
"""Python baseline for `comfysh-bench decode`.

Usage: python_decode.py FRAMES_FILE [--seconds S] [--prompt-id ID]

FRAMES_FILE holds the incoming text frames of the fixture transcripts, one per line
(comfysh-bench writes it). Two figures, each repeating whole passes over the frames
until at least S seconds have passed on time.perf_counter(), on one core:

  msgs_per_s                        json.loads alone: the floor any Python client pays.
  loads_and_dict_update_msgs_per_s  json.loads plus the dispatch a typical client does
                                    (after ComfyUI's script_examples/websockets_api_example.py:
                                    look at msg['type'], finish on an `executing` with node
                                    None for our prompt, keep progress, progress_state and
                                    queue_remaining in dicts). This is what comfysh's
                                    decode-and-reduce figure is compared with.

Prints one JSON line: {"msgs_per_s": N, "loads_and_dict_update_msgs_per_s": M,
"frames": K, "errors": E, "python": "3.x.y"}.
"""

import argparse
import json
import platform
import sys
import time


def loads_pass(frames):
    """One pass of json.loads; returns how many frames it rejected."""
    loads = json.loads  # a local, as a tuned client would bind it
    errors = 0
    for frame in frames:
        try:
            loads(frame)
        except ValueError:
            errors += 1
    return errors


def client_pass(frames, prompt_id):
    """One pass of a typical client's receive loop, with fresh state (like a new session)."""
    loads = json.loads
    progress = {}        # node -> (value, max)
    progress_state = {}  # prompt id -> nodes dict
    queue_remaining = None
    finished = 0
    for frame in frames:
        try:
            message = loads(frame)
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
        except (ValueError, KeyError, TypeError):
            pass  # a malformed frame: a client would log it and go on
    return finished + len(progress) + len(progress_state) + (queue_remaining or 0)


def measure(seconds, n_frames, one_pass):
    """Messages per second over whole passes, after one untimed warm-up pass."""
    one_pass()
    passes = 0
    start = time.perf_counter()
    while True:
        one_pass()
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return passes * n_frames / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('frames_file')
    parser.add_argument('--seconds', type=float, default=2.0)
    parser.add_argument('--prompt-id', default='')
    args = parser.parse_args()

    with open(args.frames_file, encoding='utf-8') as f:
        frames = [line for line in f.read().split('\n') if line]
    if not frames:
        sys.exit('python_decode.py: no frames in ' + args.frames_file)

    errors = loads_pass(frames)
    loads_rate = measure(args.seconds, len(frames), lambda: loads_pass(frames))
    client_rate = measure(args.seconds, len(frames), lambda: client_pass(frames, args.prompt_id))
    print(json.dumps({
        'msgs_per_s': round(loads_rate),
        'loads_and_dict_update_msgs_per_s': round(client_rate),
        'frames': len(frames),
        'errors': errors,
        'python': platform.python_version(),
    }))


if __name__ == '__main__':
    main()

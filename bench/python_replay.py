#!/usr/bin/env python3
"""Python side of `comfysh-bench replay`: `comfysh replay FILE --json`'s work, in Python.

Usage: python_replay.py FILE

Streams the transcript (JSON Lines, the format of Tests/Fixtures/comfyui/README.md) line
by line, as a Python client replaying a recording would: json.loads every line, and then
every frame — json.loads of a text frame's text, base64 and the binary header of a
binary frame (and json.loads of a type-4 preview's metadata) — and keeps the state a
client keeps in dicts: sockets, prompts and their status, the nodes of the running
prompt (progress_state replaces them), progress, previews, outputs, the queue, a log of
the last 500 events. At the end it prints the final state as one JSON object, as
`comfysh replay --json` does. Standard library only.
"""

import base64
import collections
import json
import sys


def main():
    path = sys.argv[1]
    loads = json.loads
    b64decode = base64.b64decode

    sockets = {}
    prompts = {}            # prompt id -> {status, number, outputs, ...}
    nodes = {}              # node id -> {state, value, max, ...} (running prompt)
    nodes_prompt = None
    cached = []
    executed = []
    executing = None
    progress = {}
    preview = None
    texts = {}
    queue_remaining = None
    server = {}
    log = collections.deque(maxlen=500)
    sent = 0
    unknown = 0
    last_frame_at = None

    def prompt(pid):
        record = prompts.get(pid)
        if record is None:
            record = prompts[pid] = {'status': 'queued', 'number': None, 'outputs': {}, 'started_at': None,
                                     'finished_at': None}
        return record

    with open(path, 'rb') as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            line = loads(raw)
            t = line.get('t', 0)
            kind = line.get('kind')
            if kind == 'text':
                if line.get('dir') == 'out':
                    sent += 1
                    loads(line['text'])
                    continue
                last_frame_at = t
                try:
                    message = loads(line['text'])
                    mtype = message['type']
                    data = message.get('data') or {}
                except (ValueError, KeyError, TypeError) as error:
                    log.append((t, 'protocol_error', str(error)))
                    continue
                if mtype == 'progress':
                    progress = {'prompt_id': data.get('prompt_id'), 'node': data.get('node'),
                                'value': data['value'], 'max': data['max'], 'at': t}
                    node = nodes.get(data.get('node'))
                    if node is not None:
                        node['value'] = data['value']
                        node['max'] = data['max']
                elif mtype == 'progress_state':
                    pid = data['prompt_id']
                    if nodes_prompt != pid:
                        nodes_prompt = pid
                        cached, executed = [], []
                    nodes = {}
                    for node_id, node in data['nodes'].items():
                        if node.get('state') == 'pending':
                            continue
                        nodes[node_id] = {'state': node.get('state'), 'value': node.get('value'),
                                          'max': node.get('max'), 'display_node_id': node.get('display_node_id'),
                                          'parent_node_id': node.get('parent_node_id'),
                                          'real_node_id': node.get('real_node_id')}
                        if node.get('state') == 'finished' and node_id not in executed:
                            executed.append(node_id)
                elif mtype == 'executing':
                    executing = data.get('node')
                    if executing is None and data.get('prompt_id') in prompts:
                        record = prompts[data['prompt_id']]
                        if record['status'] == 'running':
                            record['status'] = 'ended'
                            record['finished_at'] = t
                    log.append((t, 'executing', executing))
                elif mtype == 'executed':
                    prompt(data['prompt_id'])['outputs'][data['node']] = data.get('output')
                    log.append((t, 'executed', data['node']))
                elif mtype == 'execution_start':
                    record = prompt(data['prompt_id'])
                    record['status'] = 'running'
                    record['started_at'] = t
                    nodes_prompt = data['prompt_id']
                    nodes, cached, executed = {}, [], []
                    log.append((t, 'execution_start', data['prompt_id']))
                elif mtype == 'execution_cached':
                    cached = list(data.get('nodes') or [])
                elif mtype in ('execution_success', 'execution_error', 'execution_interrupted'):
                    record = prompt(data['prompt_id'])
                    record['status'] = {'execution_success': 'succeeded', 'execution_error': 'failed',
                                        'execution_interrupted': 'interrupted'}[mtype]
                    record['finished_at'] = t
                    log.append((t, mtype, data['prompt_id']))
                elif mtype == 'status':
                    queue_remaining = data['status']['exec_info']['queue_remaining']
                    if data.get('sid'):
                        server['sid'] = data['sid']
                elif mtype == 'feature_flags':
                    server['feature_flags'] = data
                else:
                    unknown += 1
                    log.append((t, 'unknown', mtype))
            elif kind == 'binary':
                last_frame_at = t
                frame = b64decode(line['b64'])
                btype = int.from_bytes(frame[:4], 'big')
                if btype == 1:
                    preview = {'format': int.from_bytes(frame[4:8], 'big'), 'bytes': len(frame) - 8, 'at': t}
                elif btype == 3:
                    n = int.from_bytes(frame[4:8], 'big')
                    node = frame[8:8 + n].decode()
                    texts[node] = frame[8 + n:].decode(errors='replace')
                elif btype == 4:
                    n = int.from_bytes(frame[4:8], 'big')
                    meta = loads(frame[8:8 + n])
                    count = preview['count'] + 1 if preview and preview.get('prompt_id') == meta.get('prompt_id') else 1
                    preview = {'prompt_id': meta.get('prompt_id'), 'node_id': meta.get('node_id'),
                               'mime_type': meta.get('image_type'), 'bytes': len(frame) - 8 - n, 'at': t,
                               'count': count}
            elif 'ws' in line:
                ws = line['ws']
                if ws['event'] == 'open':
                    sockets[ws['conn']] = {'path': ws.get('path'), 'opened_at': t}
                else:
                    sockets.pop(ws['conn'], None)
                log.append((t, 'socket_' + ws['event'], ws['conn']))
            elif 'http' in line:
                http = line['http']
                response = http.get('response')
                if http['method'] == 'POST' and http['path'] == '/prompt' and http['status'] == 200:
                    record = prompt(response['prompt_id'])
                    record['number'] = response.get('number')
                    record['node_errors'] = response.get('node_errors')
                elif http['path'].startswith('/history') and isinstance(response, dict):
                    for pid, entry in response.items():
                        record = prompt(pid)
                        record['outputs'].update(entry.get('outputs') or {})
                        status = (entry.get('status') or {}).get('status_str')
                        record['status'] = {'success': 'succeeded', 'error': 'failed'}.get(status, record['status'])
                log.append((t, 'http', http['method'] + ' ' + http['path'], http['status']))
            elif 'meta' in line:
                server['meta'] = line['meta']

    state = {
        'connection': {'sockets': sockets, 'server': server, 'last_frame_at': last_frame_at, 'sent': sent},
        'queue': {'remaining': queue_remaining, 'prompts': prompts},
        'nodes': {'prompt_id': nodes_prompt, 'executing': executing, 'by_id': nodes, 'cached': cached,
                  'executed': executed},
        'progress': {'tick': progress, 'preview': preview, 'texts': texts},
        'log': {'entries': list(log), 'unknown': unknown},
    }
    sys.stdout.write(json.dumps(state))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()

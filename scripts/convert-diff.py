#!/usr/bin/env python3
"""Differential check of comfysh's editor-workflow converter (issue 13).

Converts every editor workflow in a templates folder twice -- with comfysh's
converter (`comfysh-bench convert-all`) and with comfy-cli's
(`comfy_cli.workflow_to_api.convert_ui_to_api`, used as an oracle, never as code) --
both with the target server's own `/object_info`; sends each prompt to a real
ComfyUI server's `POST /prompt` for validation; and prints the counts and every
difference between the two converters' prompts.

A template *passes* when the server accepts the prompt, or rejects it only for model
or input files it does not have (a combo value that is a file name, or a loader's
"Invalid ... file"). Nothing is run: a long `TestSleep` prompt (comfy_test_nodes) is
queued first so the worker stays busy, every prompt the server accepts is deleted
from the queue at once, and the sleeper is interrupted at the end.

Run it with a Python that has comfy-cli (and from the package root, after
`swift build --build-tests`):

    /work/comfy/tools-venv/bin/python scripts/convert-diff.py \\
        --templates .../comfyui_workflow_templates_json/templates \\
        --server http://127.0.0.1:8189 --report /tmp/convert-diff.json
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

FILE_RE = re.compile(
    r"\.(safetensors|sft|ckpt|pt|pth|bin|gguf|onnx|npz|png|jpe?g|webp|gif|bmp|tiff?|exr|mp4|webm|mov|mkv|avi|"
    r"wav|mp3|flac|ogg|m4a|glb|gltf|obj|fbx|ply|spz|splat|ksplat|stl|usdz|latent|json|ya?ml|txt)$",
    re.I,
)


def is_file_value(value) -> bool:
    """A model or input file name (an annotation such as ` [output]` removed)."""
    if isinstance(value, str):
        return bool(FILE_RE.search(value.strip().split(" [")[0]))
    if isinstance(value, list) and value:
        return all(is_file_value(v) for v in value)
    return False


def error_kind(error: dict) -> str:
    """`missing_file` for what a server without the models would say, else the type."""
    kind = error.get("type", "?")
    extra = error.get("extra_info") or {}
    if kind == "value_not_in_list" and is_file_value(extra.get("received_value")):
        return "missing_file"
    text = f"{error.get('message', '')} {error.get('details', '')}"
    if kind == "custom_validation_failed" and re.search(r"Invalid [\w ]*file", text):
        return "missing_file"
    return kind


def verdict(status: int | None, body) -> tuple[str, list[str]]:
    """("pass" | "fail", reasons other than missing files)."""
    if status is None:
        return "fail", ["no answer"]
    if not isinstance(body, dict):
        return "fail", [f"HTTP {status}"]
    problems = []
    for node, entry in (body.get("node_errors") or {}).items():
        for error in entry.get("errors", []):
            if error_kind(error) != "missing_file":
                problems.append(f"{node} {entry.get('class_type')}: {error.get('type')}: {error.get('details', '')[:160]}")
    if status >= 400 and not body.get("node_errors"):
        error = body.get("error") or {}
        problems.append(f"{error.get('type')}: {error.get('message')}")
    return ("pass" if not problems else "fail"), problems


class Server:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.client_id = "convert-diff-" + uuid.uuid4().hex[:8]
        self.ours: list[str] = []
        self.blocker: str | None = None

    def call(self, method: str, route: str, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + route, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                raw = answer.read()
                return answer.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            return None, str(error)

    def object_info(self) -> dict:
        status, body = self.call("GET", "/object_info")
        if status != 200 or not isinstance(body, dict):
            sys.exit(f"GET {self.url}/object_info: {status} {body}")
        return body

    def start_blocker(self):
        """A long TestSleep, so that nothing accepted later gets to run."""
        prompt = {
            "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
            "2": {"class_type": "TestSleep", "inputs": {"image": ["1", 0], "seconds": 3600, "tick": 1, "seed": random.randrange(1 << 30)}},
            "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}},
        }
        self.blocker = str(uuid.uuid4())
        status, body = self.call("POST", "/prompt", {"prompt": prompt, "client_id": self.client_id, "prompt_id": self.blocker})
        if status != 200:
            sys.exit(f"could not queue the blocker prompt: {status} {body}")
        for _ in range(100):  # until the worker has taken it
            status, queue = self.call("GET", "/queue")
            if status == 200 and any(item[1] == self.blocker for item in queue.get("queue_running", [])):
                return
            time.sleep(0.1)
        sys.exit("the blocker prompt did not start (is the server busy with someone else's prompt?)")

    def validate(self, prompt: dict):
        prompt_id = str(uuid.uuid4())
        status, body = self.call("POST", "/prompt", {"prompt": prompt, "client_id": self.client_id, "prompt_id": prompt_id})
        if status == 200:
            # Accepted: it waits behind the blocker; take it out before it can run.
            self.call("POST", "/queue", {"delete": [prompt_id]})
            self.ours.append(prompt_id)
        return status, body

    def finish(self):
        if self.ours:
            self.call("POST", "/queue", {"delete": self.ours})
        if self.blocker:
            self.call("POST", "/queue", {"delete": [self.blocker]})
            self.call("POST", "/interrupt", {"prompt_id": self.blocker})


def is_editor_workflow(path: str) -> bool:
    """The package also ships search settings (fuse_options.json): not a workflow."""
    with open(path) as f:
        data = json.load(f)
    return isinstance(data, dict) and isinstance(data.get("nodes"), list)


def comfy_cli_convert(path: str, object_info: dict):
    from comfy_cli.workflow_to_api import convert_ui_to_api

    random.seed(1)
    with open(path) as f:
        workflow = json.load(f)
    try:
        return convert_ui_to_api(workflow, object_info), None
    except Exception as error:  # the oracle's own failures are data too
        return None, f"{type(error).__name__}: {error}"


def diff_prompts(ours: dict, theirs: dict) -> list[str]:
    """Every difference, as lines: nodes only on one side, classes, inputs."""
    lines = []
    for node in sorted(set(ours) | set(theirs), key=lambda k: [int(p) if p.isdigit() else p for p in re.split(r"[:]", k)]):
        a, b = ours.get(node), theirs.get(node)
        if a is None:
            lines.append(f"{node} ({b.get('class_type')}): only comfy-cli sends it")
            continue
        if b is None:
            lines.append(f"{node} ({a.get('class_type')}): only comfysh sends it")
            continue
        if a.get("class_type") != b.get("class_type"):
            lines.append(f"{node}: class {a.get('class_type')} vs {b.get('class_type')}")
        ai, bi = a.get("inputs", {}), b.get("inputs", {})
        for name in list(ai) + [n for n in bi if n not in ai]:
            if name not in bi:
                lines.append(f"{node} {a['class_type']}.{name}: comfysh {short(ai[name])}, comfy-cli none")
            elif name not in ai:
                lines.append(f"{node} {a['class_type']}.{name}: comfysh none, comfy-cli {short(bi[name])}")
            elif not same(ai[name], bi[name]):
                lines.append(f"{node} {a['class_type']}.{name}: comfysh {short(ai[name])}, comfy-cli {short(bi[name])}")
    return lines


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 70 else text[:67] + "..."


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", required=True, help="folder of editor workflows (index*.json are skipped)")
    parser.add_argument("--server", default="http://127.0.0.1:8189")
    parser.add_argument("--bench", default=".build/debug/comfysh-bench")
    parser.add_argument("--report", help="write every result as JSON here")
    parser.add_argument("--no-server", action="store_true", help="compare the converters only")
    args = parser.parse_args()

    files = sorted(
        f for f in glob.glob(os.path.join(args.templates, "*.json"))
        if not os.path.basename(f).startswith("index") and is_editor_workflow(f)
    )
    server = Server(args.server)
    object_info = server.object_info()
    info_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(object_info, info_file)
    info_file.close()
    print(f"{len(files)} editor workflows; {len(object_info)} node classes from {args.server}/object_info", flush=True)

    run = subprocess.run(
        [args.bench, "convert-all", "--object-info", info_file.name, "--simulate", "--materialize", *files],
        capture_output=True, text=True, check=True,
    )
    ours = {row["file"]: row for row in map(json.loads, filter(None, run.stdout.split("\n")))}
    slowest = max(ours.values(), key=lambda row: os.path.getsize(row["file"]))
    timing = subprocess.run(
        [args.bench, "convert-all", "--object-info", info_file.name, "--repeats", "20", slowest["file"]],
        capture_output=True, text=True, check=True,
    )
    largest_ms = json.loads(timing.stdout)["ms"]

    results = []
    if not args.no_server:
        server.start_blocker()
    try:
        for path in files:
            row = {"file": os.path.basename(path)}
            mine = ours[path]
            theirs, theirs_error = comfy_cli_convert(path, object_info)
            row["comfysh_error"] = mine.get("error")
            row["comfy_cli_error"] = theirs_error
            simulated = mine.get("simulator")
            if simulated:
                row["simulator"], row["simulator_problems"] = verdict(int(simulated["status"]), simulated)
            if not args.no_server:
                if "prompt" in mine:
                    status, body = server.validate(mine["prompt"])
                    row["comfysh"], row["comfysh_problems"] = verdict(status, body)
                if theirs is not None:
                    status, body = server.validate(theirs)
                    row["comfy_cli"], row["comfy_cli_problems"] = verdict(status, body)
            if "prompt" in mine and theirs is not None:
                row["differences"] = diff_prompts(mine["prompt"], theirs)
            results.append(row)
    finally:
        if not args.no_server:
            server.finish()

    count = collections.Counter()
    for row in results:
        count["comfysh converted"] += row["comfysh_error"] is None
        count["comfy-cli converted"] += row["comfy_cli_error"] is None
        count["comfysh passes the server"] += row.get("comfysh") == "pass"
        count["comfy-cli passes the server"] += row.get("comfy_cli") == "pass"
        count["comfysh passes the simulator"] += row.get("simulator") == "pass"
        count["identical prompts"] += row.get("differences") == []
        count["prompts that differ"] += bool(row.get("differences"))
    print(f"\n{len(results)} workflows; largest ({os.path.basename(slowest['file'])}, "
          f"{os.path.getsize(slowest['file']) // 1024} KiB) converts in {largest_ms:.2f} ms (fastest of 20, parse included)")
    for key, value in count.items():
        print(f"  {key}: {value}")
    print("\ncomfysh refuses (clear errors):")
    for row in results:
        if row["comfysh_error"]:
            print(f"  {row['file']}: {row['comfysh_error']}")
    print("\ncomfysh fails the server:")
    for row in results:
        if row.get("comfysh") == "fail":
            print(f"  {row['file']}: " + "; ".join(row["comfysh_problems"]))
    print("\ncomfy-cli fails the server or errs:")
    for row in results:
        if row.get("comfy_cli") == "fail" or row["comfy_cli_error"]:
            print(f"  {row['file']}: " + (row["comfy_cli_error"] or "; ".join(row["comfy_cli_problems"])))
    print("\ndifferences (comfysh vs comfy-cli):")
    for row in results:
        for line in row.get("differences") or []:
            print(f"  {row['file']}: {line}")
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"largest_ms": largest_ms, "largest": os.path.basename(slowest["file"]), "counts": count, "results": results}, f, indent=1)
    os.unlink(info_file.name)


if __name__ == "__main__":
    main()

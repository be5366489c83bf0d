#!/usr/bin/env python3
"""Every editor-format fixture (Tests/Fixtures/workflows) converted by `comfysh convert`
with a real server's own /object_info, then sent to that server's POST /prompt: a template
passes when the server refuses it only for files it does not have (models, input images),
or accepts it. Nothing runs: as in convert-diff.py (whose server code this uses), a long
TestSleep keeps the worker busy, accepted prompts are deleted at once, and the sleeper is
interrupted at the end.

    python3 scripts/fixtures-on-server.py --server http://127.0.0.1:8189 [--comfysh .build/debug/comfysh]
"""
import argparse
import glob
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("convert_diff", os.path.join(HERE, "convert-diff.py"))
convert_diff = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert_diff)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--comfysh", default=os.path.join(HERE, "..", ".build", "debug", "comfysh"))
    args = parser.parse_args()
    server = convert_diff.Server(args.server)
    files = sorted(glob.glob(os.path.join(HERE, "..", "Tests", "Fixtures", "workflows", "*.json")))
    server.start_blocker()
    counts = {"accepted": 0, "only files missing": 0, "refused by comfysh": 0, "other errors": 0}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for path in files:
                name = os.path.basename(path)
                out = os.path.join(folder, name)
                converted = subprocess.run(
                    [args.comfysh, "convert", path, "--server", args.server, "--seed", "fixed", "-o", out],
                    capture_output=True, text=True)
                if converted.returncode != 0:
                    counts["refused by comfysh"] += 1
                    print(f"{name}: refused by comfysh: {converted.stderr.strip().split(': ', 2)[-1][:150]}")
                    continue
                with open(out) as f:
                    prompt = json.load(f)
                status, body = server.validate(prompt)
                verdict, problems = convert_diff.verdict(status, body)
                missing = sorted({(node, error.get("extra_info", {}).get("input_name") or error.get("type"))
                                  for node, entry in ((body or {}).get("node_errors") or {}).items()
                                  for error in entry.get("errors", [])} if isinstance(body, dict) else set())
                if verdict == "pass" and status == 200:
                    counts["accepted"] += 1
                    print(f"{name}: accepted ({len(prompt)} nodes)")
                elif verdict == "pass":
                    counts["only files missing"] += 1
                    print(f"{name}: HTTP {status}, only files missing: " + ", ".join(f"{n}.{i}" for n, i in missing))
                else:
                    counts["other errors"] += 1
                    print(f"{name}: HTTP {status}: " + "; ".join(problems))
    finally:
        server.finish()
    print(", ".join(f"{count} {what}" for what, count in counts.items()))
    sys.exit(1 if counts["other errors"] else 0)


if __name__ == "__main__":
    main()

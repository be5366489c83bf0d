#!/usr/bin/env python3
"""Seed corpora for the fuzzers, from the recorded transcripts.

    Fuzz/seed.py [FIXTURES_DIR] [OUT_DIR]

FIXTURES_DIR defaults to Tests/Fixtures/comfyui, OUT_DIR to Fuzz/seeds. Writes

  OUT_DIR/decoder/     every frame of every transcript, in the DecoderFuzzer's input
                       format: one selector byte, then the frame. Text frames (both
                       directions) as their UTF-8 with selector 0x00; binary frames as
                       the whole frame decoded from the line's base64, with selector 0x01
                       (released progress-text layout) and, for type 3 (progress text),
                       also 0x03 (the layout with a prompt id).
  OUT_DIR/transcript/  every transcript file whole, and every line of every transcript
                       alone (TranscriptFuzzer's input: the bytes of a transcript file).

Files are named by the SHA-1 of their content, as libFuzzer names corpus files, so
duplicates collapse. The directories are emptied first: the seeds are derived, the
fixtures are the source of truth.
"""
import base64
import hashlib
import json
import os
import shutil
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "Fixtures", "comfyui")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "Fuzz", "seeds")

TEXT, BINARY, BINARY_WITH_PROMPT_ID = b"\x00", b"\x01", b"\x03"


def write(target, data):
    directory = os.path.join(out, target)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


for target in ("decoder", "transcript"):
    shutil.rmtree(os.path.join(out, target), ignore_errors=True)
    os.makedirs(os.path.join(out, target))

files = sorted(f for f in os.listdir(fixtures) if f.endswith(".jsonl"))
if not files:
    sys.exit(f"seed.py: no .jsonl transcripts in {fixtures}")
frames = {"text": 0, "binary": 0}
for name in files:
    with open(os.path.join(fixtures, name), "rb") as f:
        content = f.read()
    write("transcript", content)
    for raw in content.split(b"\n"):
        if not raw.strip():
            continue
        write("transcript", raw + b"\n")
        line = json.loads(raw)
        kind = line.get("kind")
        if kind == "text":
            # The frame exactly as it crossed the wire (surrogatepass: a frame is kept
            # even if it held an escaped lone surrogate).
            write("decoder", TEXT + line["text"].encode("utf-8", "surrogatepass"))
            frames["text"] += 1
        elif kind == "binary":
            frame = base64.b64decode(line["b64"])
            write("decoder", BINARY + frame)
            if frame[:4] == b"\x00\x00\x00\x03":
                write("decoder", BINARY_WITH_PROMPT_ID + frame)
            frames["binary"] += 1

for target in ("decoder", "transcript"):
    directory = os.path.join(out, target)
    names = os.listdir(directory)
    size = sum(os.path.getsize(os.path.join(directory, n)) for n in names)
    print(f"{directory}: {len(names)} seeds, {size} bytes")
print(f"from {len(files)} transcripts: {frames['text']} text frames, {frames['binary']} binary frames")

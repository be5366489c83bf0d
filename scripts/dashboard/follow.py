# Follows `comfysh dashboard` as its page does, against real ComfyUI servers: one WebSocket
# (a snapshot, then diffs applied by their keys, sequence numbers checked), three workflows
# submitted through /api/submit, their outputs fetched through /view, and at the end the
# copy compared with a fresh snapshot of the same sequence number. Needs aiohttp.
#   python3 scripts/dashboard/follow.py http://127.0.0.1:8197 PROMPT.json
# PROMPT.json: an API-format workflow with a TestProgressLoop node "2" and a SaveImage "3"
# (ComfyUI's test nodes), as {"prompt": {...}} or the graph alone.
import asyncio, json, sys, time, struct, aiohttp
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8197"
PROMPT = sys.argv[2] if len(sys.argv) > 2 else "/work/comfy/prompt.json"
ORIGIN = BASE

def apply(state, line):
    keys = line["keys"]
    if keys == ["log"]:
        log = state["log"]; log["entries"].append(line["new"]); log["total"] = line["new"]["seq"]
        while len(log["entries"]) > log["capacity"]: log["entries"].pop(0)
        return
    parent = state
    for i, k in enumerate(keys[:-1]):
        if isinstance(parent, dict):
            if parent.get(k) is None: parent[k] = [] if isinstance(keys[i+1], int) else {}
        parent = parent[k]
    last = keys[-1]
    if line["kind"] == "-":
        if isinstance(parent, list): parent.pop(last)
        else: parent.pop(last, None)
    else:
        if isinstance(parent, list) and last == len(parent): parent.append(line["new"])
        else: parent[last] = line["new"]

def workflow(seed, steps):
    g = json.load(open(PROMPT))
    g = g.get("prompt", g)
    g["2"]["inputs"].update(seed=seed, steps=steps, delay=0.2)
    return g

async def main():
    t0 = time.monotonic()
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(BASE + "/ws", headers={"Origin": ORIGIN}) as ws:
            first = json.loads((await ws.receive()).data)
            print(f"snapshot seq {first['seq']} after {1000*(time.monotonic()-t0):.1f} ms; servers:",
                  {n: s["connection"]["phase"] for n, s in first["state"]["servers"].items()})
            state, seq = first["state"], first["seq"]
            seed = int(time.time())
            ids = []
            for i in range(3):
                async with http.post(BASE + f"/api/submit?name=real{i}.json", data=json.dumps(workflow(seed + i, 15)),
                                     headers={"Origin": ORIGIN, "Content-Type": "application/json"}) as r:
                    answer = await r.json(); print("submit:", r.status, answer["message"]); ids.append(answer.get("prompt_id"))
            frames, previews, gaps, texts, prog = 0, 0, 0, [], []
            times = []
            while True:
                m = await asyncio.wait_for(ws.receive(), 60)
                if m.type == aiohttp.WSMsgType.BINARY:
                    n = struct.unpack(">I", m.data[:4])[0]; h = json.loads(m.data[4:4+n]); previews += 1
                    continue
                f = json.loads(m.data); times.append(time.monotonic())
                if f["type"] == "diff":
                    if f["seq"] != seq + 1: gaps += 1
                    for line in f["lines"]: apply(state, line)
                else: state = f["state"]
                seq = f["seq"]; frames += 1
                for e in f.get("events", []):
                    texts.append(("TOAST " if e.get("toast") else "") + e["text"])
                for name, s in state["servers"].items():
                    p = s["progress"]
                    if p.get("prompt_id") and p.get("eta_seconds") is not None:
                        prog.append((name, p["prompt_id"][:8], p.get("node"), p.get("value"), p.get("max"), round(p["fraction"], 2), p.get("steps_per_second"), p.get("eta_seconds")))
                recs = state["queue"]["prompts"]
                if all(i in recs and recs[i]["status"] not in ("running", "queued", "waiting") for i in ids): break
            span = times[-1] - times[0]
            print(f"{frames} frames in {span:.1f} s ({frames/span:.1f}/s), {previews} preview images, {gaps} gaps")
            for t in texts: print("event:", t)
            for p in prog[::max(1, len(prog)//8)]: print("progress:", p)
            for i in ids:
                r = recs[i]; print("prompt", i[:8], r["status"], "on", r["server"], "outputs", json.dumps(r.get("outputs"))[:120])
                async with http.get(BASE + f"/view?prompt={i}&node=3&kind=images&index=0") as v:
                    body = await v.read(); print("  /view:", v.status, v.headers.get("Content-Type"), len(body), "bytes", body[:8])
            # The copy equals a fresh snapshot of the same seq.
            for _ in range(20):
                async with http.ws_connect(BASE + "/ws", headers={"Origin": ORIGIN}) as ws2:
                    fresh = json.loads((await ws2.receive()).data)
                if fresh["seq"] == seq:
                    print("page copy == fresh snapshot:", fresh["state"] == state); break
                m = await ws.receive()
                if m.type == aiohttp.WSMsgType.TEXT:
                    f = json.loads(m.data)
                    for line in f.get("lines", []): apply(state, line)
                    seq = f["seq"]
asyncio.run(main())

# The dashboard in Firefox over WebDriver BiDi, against whatever servers it follows: two
# servers connected, a prompt's bars, ETA, preview, the success toast, a thumbnail loaded,
# the log filter; a screenshot. Submit a workflow while it waits. Needs aiohttp.
#   firefox-esr --headless --no-remote --profile "$(mktemp -d)" --remote-debugging-port 9333 &
#   python3 scripts/dashboard/firefox.py ws://127.0.0.1:9333 http://127.0.0.1:8197/ [SCREENSHOT.png]
import asyncio, json, sys, time, aiohttp
BIDI = sys.argv[1]; URL = sys.argv[2]
async def main():
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(BIDI + "/session") as ws:
            n = 0
            async def call(method, params):
                nonlocal n; n += 1; await ws.send_json({"id": n, "method": method, "params": params})
                while True:
                    m = json.loads((await ws.receive()).data)
                    if m.get("type") == "event":
                        if m["method"] == "log.entryAdded": print("LOG:", m["params"].get("level"), m["params"].get("text"))
                        continue
                    if m.get("id") == n:
                        if m.get("type") == "error": raise RuntimeError(m)
                        return m["result"]
            caps = await call("session.new", {"capabilities": {}})
            print("browser:", caps["capabilities"]["browserName"], caps["capabilities"]["browserVersion"])
            await call("session.subscribe", {"events": ["log.entryAdded"]})
            tree = await call("browsingContext.getTree", {})
            ctx = tree["contexts"][0]["context"]
            t0 = time.monotonic()
            await call("browsingContext.navigate", {"context": ctx, "url": URL, "wait": "complete"})
            async def wait(expr, secs=60):
                js = f"""new Promise((res, rej) => {{ const end = performance.now() + {secs*1000};
                  const c = () => {{ let v; try {{ v = ({expr}); }} catch (e) {{}} if (v) return res(v);
                    if (performance.now() > end) return rej(new Error("timed out: " + {json.dumps(expr)})); setTimeout(c, 20); }}; c(); }})"""
                r = await call("script.evaluate", {"expression": js, "target": {"context": ctx}, "awaitPromise": True})
                if r["type"] == "exception": raise RuntimeError(r["exceptionDetails"]["text"])
                return r["result"].get("value")
            print("connected:", await wait("""[...document.querySelectorAll('.server[data-light="connected"]')].length === 2 && "both servers connected" """), f"{1000*(time.monotonic()-t0):.0f} ms after navigate")
            nav = await wait("""(() => { const n = performance.getEntriesByType("navigation")[0]; return JSON.stringify({load: n.loadEventEnd - n.startTime, first: window.dashboard.firstFrameAt}) })()""")
            print("timing:", nav)
            await wait("""document.querySelector('.run .track[data-kind="prompt"]') && true""", 120)
            print("running:", await wait("""document.querySelector('.run .node-name')?.textContent"""))
            print("eta:", await wait("""/ETA [0-9]/.test(document.querySelector('.run .eta')?.textContent || "") && document.querySelector('.run .rates').textContent"""))
            print("preview loaded:", await wait("""document.querySelector('.run img.preview')?.naturalWidth"""))
            print("toast:", await wait("""[...document.querySelectorAll('.toast.good')].map(t => t.textContent).find(t => t.includes("succeeded"))""", 120))
            print("thumbnail naturalWidth:", await wait("""[...document.querySelectorAll('img.thumb')].map(i => i.complete && i.naturalWidth).find(w => w > 0)"""))
            await call("script.evaluate", {"expression": "for (const i of document.querySelectorAll('.filters input')) i.checked = i.dataset.level === 'error'; document.querySelector('.filters input').dispatchEvent(new Event('change')); true", "target": {"context": ctx}, "awaitPromise": False})
            print("log filter (error only):", await wait("""[...document.querySelectorAll('#log .entry')].every(e => e.dataset.level === 'error') && String(document.querySelectorAll('#log .entry').length)"""))
            shot = await call("browsingContext.captureScreenshot", {"context": ctx})
            import base64; open(sys.argv[3] if len(sys.argv) > 3 else "firefox.png", "wb").write(base64.b64decode(shot["data"])); print("screenshot written")
            await call("session.end", {})
asyncio.run(main())

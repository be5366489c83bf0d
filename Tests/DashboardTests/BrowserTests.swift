import ComfyCore
import ComfyDashboard
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// The page in real browsers: headless Chromium (Debian's `chromium`) over the DevTools
/// protocol and headless Firefox (Debian's `firefox-esr`) over WebDriver BiDi — `.ci/run`
/// installs both — against the simulator, the same checks in each, every one on the DOM, a
/// condition waited for in the page, never a sleep. A browser that is not installed has
/// its test skipped, saying so.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrowserTests {
    @Test(.enabled(if: Chromium.binary != nil, "no chromium binary (apt-get install chromium): the Chromium test is skipped"))
    func theDemoRunsLiveInChromiumAndTheLightFollowsTheConnection() async throws {
        let browser = try await Chromium.launch()
        do { try await Self.theDemoRunsLive(in: try await browser.newPage()) } catch { Issue.record(error) }
        await browser.close()
    }

    /// The same in Firefox: the page uses no API only Chromium has.
    @Test(.enabled(if: Firefox.binary != nil, "no firefox binary (apt-get install firefox-esr): the Firefox test is skipped"))
    func theDemoRunsLiveInFirefoxAndTheLightFollowsTheConnection() async throws {
        let browser = try await Firefox.launch()
        do { try await Self.theDemoRunsLive(in: try await browser.newPage()) } catch { Issue.record(error) }
        await browser.close()
    }

    /// Connected; a demo prompt's bars, ETA, node, preview, toast and thumbnail; files from
    /// the picker; reconnecting and back; the page's copy of the state equal to a snapshot.
    static func theDemoRunsLive(in page: some BrowserPage) async throws {
        // A step every 60 ms: the demo's 10 steps take about 0.6 s, long enough to see the bars move.
        let demo = try await DemoDashboard.start(stepDelay: .milliseconds(60))
        do {
            try await page.navigate(demo.dashboard.url)

            // Connected, with its round trip and quality.
            try await page.waitFor(#"document.querySelector('.server[data-light="connected"] .light-label')?.textContent === "connected""#)
            let timing = try await page.evaluate("""
                (() => { const n = performance.getEntriesByType("navigation")[0];
                  return { load: n.loadEventEnd - n.startTime, dom: n.domContentLoadedEventEnd - n.startTime, first: window.dashboard.firstFrameAt } })()
                """)
            print("dashboard page in \(page.browserName): load \(timing["load"]?.doubleValue ?? -1) ms, DOM ready \(timing["dom"]?.doubleValue ?? -1) ms, first snapshot drawn at \(timing["first"]?.doubleValue ?? -1) ms")

            // A demo prompt: the whole prompt's bar advances, and the ETA shows — a lower
            // bound on its first run (`≥`), as the shell says it.
            try await page.evaluate(#"document.getElementById("submit-demo").click(); true"#)
            let first = try await page.waitFor(#"Number(document.querySelector('.run .track[data-kind="prompt"]')?.getAttribute("aria-valuenow")) || 0"#)
            let firstValue = first.doubleValue ?? 0
            try await page.waitFor(#"Number(document.querySelector('.run .track[data-kind="prompt"]')?.getAttribute("aria-valuenow")) > \#(firstValue)"#)
            try await page.waitFor(#"/ETA (≥ |~)?[0-9]/.test(document.querySelector('.run .eta')?.textContent || "")"#)
            try await page.waitFor(#"document.querySelector('.run .node-name')?.textContent.includes("Progress Loop (TestProgressLoop, node 2)")"#)
            try await page.waitFor(#"document.querySelector('.run img.preview')?.naturalWidth > 0"#)
            #expect(try await page.screenshot().count > 1000)

            // Its success toast, and its output as a thumbnail that loaded (through comfysh's /view).
            try await page.waitFor(#"[...document.querySelectorAll('.toast.good')].some(t => t.dataset.kind === "succeeded" && t.textContent.includes("succeeded"))"#)
            try await page.waitFor(#"[...document.querySelectorAll('img.thumb')].some(img => img.complete && img.naturalWidth > 0)"#)

            // A workflow from the file picker: the same path as a person choosing a file.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-browser-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // Three files at once, each its own seed (so none is served from the cache): one
            // runs, one waits on the server, one waits in comfysh.
            let names = ["picked.json", "second.json", "third.json"]
            var paths: [String] = []
            for (i, name) in names.enumerated() {
                let file = folder.appendingPathComponent(name)
                let text = JSONWriter.string(ComfyUISimulator.demoWorkflow).replacingOccurrences(of: #""seed":1"#, with: #""seed":\#(1000 + i)"#)
                try Data(text.utf8).write(to: file)
                paths.append(file.path)
            }
            try await page.setFiles("#file", paths)
            if let path = ProcessInfo.processInfo.environment["COMFYSH_DASHBOARD_SCREENSHOT"], page is DevToolsPage {
                // docs/dashboard.png: the page mid-run, with a finished prompt's thumbnail below.
                // (The demo's prompt bar runs from 20% to 40% while its sampler steps.)
                try await page.waitFor(#"Number(document.querySelector('.run .track[data-kind="prompt"]')?.getAttribute("aria-valuenow")) >= 30 && document.querySelector('.run img.preview')?.naturalWidth > 0 && document.querySelectorAll('.row[data-status="waiting"], .row[data-status="queued"]').length >= 2"#)
                try await page.screenshot().write(to: URL(fileURLWithPath: path))
            }
            try await page.waitFor(#"[...document.querySelectorAll('.toast')].some(t => /^submitted [0-9a-f-]{36} \(5 nodes\) as #/.test(t.textContent))"#)
            try await page.waitFor(#"[...document.querySelectorAll('.row[data-status="succeeded"] .what')].filter(w => ["picked.json", "second.json", "third.json"].includes(w.textContent)).length === 3"#, seconds: 30)

            // The simulator drops every socket (and refuses for a while, so the state is seen):
            // the light goes to reconnecting, with its countdown, and back to connected.
            try await page.evaluate("""
                window.seenLights = [];
                new MutationObserver(() => {
                  const light = document.querySelector('.server')?.dataset.light;
                  if (light && window.seenLights[window.seenLights.length - 1] !== light) window.seenLights.push(light);
                }).observe(document.getElementById("servers"), { subtree: true, childList: true, attributes: true });
                window.seenToasts = [];
                new MutationObserver((records) => {
                  for (const r of records) for (const n of r.addedNodes) if (n.classList?.contains("toast")) window.seenToasts.push(n.className + " " + n.textContent);
                }).observe(document.getElementById("toasts"), { childList: true });
                true
                """)
            await demo.simulator.setRefusing(status: 503)
            await demo.simulator.dropAllConnections()
            try await page.waitFor(#"document.querySelector('.server[data-light="reconnecting"] .detail')?.textContent.match(/attempt [0-9]+ in [0-9.]+ s/)"#)
            // Back at once: five failed attempts in a row would open the breaker for a minute.
            await demo.simulator.setRefusing(status: nil)
            try await page.waitFor(#"document.querySelector('.server')?.dataset.light === "connected""#, seconds: 90)
            try await page.waitFor(#"window.seenToasts.some(t => t.includes("connection lost")) && window.seenToasts.some(t => t.includes("good") && t.includes("connection restored"))"#)
            let lights = try await page.evaluate("window.seenLights").arrayValue?.compactMap(\.stringValue) ?? []
            // connected (before the drop) … reconnecting … connected
            let reconnecting = lights.firstIndex(of: "reconnecting")
            #expect(reconnecting != nil && lights.last == "connected", "\(lights)")

            // The log, filtered by level: only warnings (the drop logged one), then all again.
            let filter = #"(level, on) => { const box = document.querySelector(`.filters input[data-level="${level}"]`); box.checked = on; box.dispatchEvent(new Event("change")); }"#
            try await page.evaluate(#"window.setLevel = \#(filter); setLevel("info", false); setLevel("error", false); true"#)
            let warnings = try await page.waitFor(##"(() => { const shown = [...document.querySelectorAll("#log .entry")]; return shown.length > 0 && shown.every(e => e.dataset.level === "warning") && shown.some(e => e.textContent.includes("disconnected")) && shown.length === Math.min(200, window.dashboard.state.log.entries.filter(e => e.level === "warning").length) && shown.length })()"##)
            try await page.evaluate(#"setLevel("info", true); setLevel("error", true); true"#)
            try await page.waitFor(##"document.querySelectorAll("#log .entry").length > \##(warnings.intValue ?? 0) && [...document.querySelectorAll("#log .entry")].some(e => e.dataset.level === "info")"##)

            // The page's copy of the state is the state: a fresh snapshot of the same
            // sequence number says the same, key for key.
            try await page.evaluate("""
                window.checkCopy = () => new Promise((resolve) => {
                  const canon = (v) => Array.isArray(v) ? v.map(canon) : v && typeof v === "object"
                    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, canon(v[k])])) : v;
                  const ws = new WebSocket(`ws://${location.host}/ws`);
                  ws.onmessage = (m) => {
                    ws.close();
                    const fresh = JSON.parse(m.data);
                    const mine = window.dashboard;
                    resolve({ seq: fresh.seq, mine: mine.seq, same: JSON.stringify(canon(fresh.state)) === JSON.stringify(canon(mine.state)) });
                  };
                });
                true
                """)
            var compared = false
            for _ in 0..<50 where !compared {
                let check = try await page.evaluate("window.checkCopy()")
                guard check["seq"] == check["mine"] else { continue }  // a frame on its way to one of them
                #expect(check["same"] == .bool(true), "the page's state differs from a snapshot of the same frame")
                compared = true
            }
            #expect(compared)
        } catch {
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-dashboard-failure-\(page.browserName).png")
            try? await page.screenshot().write(to: shot)
            Issue.record("\(page.browserName): \(error) — the page as it was: \(shot.path)")
        }
        await page.close()
        await demo.stop()
    }
}

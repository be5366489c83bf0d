import ComfyCore
import ComfyLive
import Foundation
import Synchronization

/// Headless Chromium (Debian's `chromium`), driven over the DevTools protocol through the
/// project's own WebSocket client (`WSClientTransport`).
final class Chromium: Sendable {
    let process: Process
    let exit: ExitWatch
    let profile: URL
    /// `ws://127.0.0.1:PORT/devtools/browser/…`
    let browserURL: String

    /// The binary: `$CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on the PATH.
    static var binary: String? { BrowserBinary.find(variable: "CHROMIUM", names: ["chromium", "chromium-browser", "google-chrome"]) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts it on a free DevTools port with a profile of its own, and waits until it says
    /// where it listens.
    static func launch(width: Int = 1360, height: Int = 960) async throws -> Chromium {
        guard let binary else { throw Failure(description: "no chromium binary") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--mute-audio",
            // WSClient (the project's WebSocket client) sends `Origin: ws://127.0.0.1`.
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=ws://127.0.0.1", "--user-data-dir=\(profile.path)",
            "--window-size=\(width),\(height)", "about:blank",
        ]
        let (process, exit, address) = try await BrowserBinary.run(binary, arguments)
        return Chromium(process: process, exit: exit, profile: profile, browserURL: address)
    }

    private init(process: Process, exit: ExitWatch, profile: URL, browserURL: String) {
        self.process = process
        self.exit = exit
        self.profile = profile
        self.browserURL = browserURL
    }

    /// A new tab, connected.
    func newPage() async throws -> DevToolsPage {
        let browser = try await DevTools.connect(browserURL)
        let created = try await browser.call("Target.createTarget", ["url": "about:blank"])
        await browser.close()
        guard let id = created["targetId"]?.stringValue else { throw Failure(description: "no targetId in \(created)") }
        let base = browserURL.components(separatedBy: "/devtools/browser/")[0]
        let page = DevToolsPage(try await DevTools.connect("\(base)/devtools/page/\(id)"))
        _ = try await page.devtools.call("Page.enable")
        _ = try await page.devtools.call("Runtime.enable")
        return page
    }

    /// Ends it for certain (a throwaway profile loses nothing to SIGKILL) and waits for it
    /// to be gone, without holding a thread (`ExitWatch`).
    func close() async {
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait()
        try? FileManager.default.removeItem(at: profile)
    }
}

/// One DevTools WebSocket: calls answered by id, and the events. (WebDriver BiDi, which
/// Firefox speaks, has the same shape: `{id, method, params}`, answers by id with `result`
/// or `error`; `FirefoxPage` uses it too.)
final class DevTools: Sendable {
    struct Pending {
        var next = 1
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var closed = false
    }

    private let pending = PendingCalls()

    final class PendingCalls: Sendable {
        let state = Mutex(Pending())
        func withLock<T>(_ body: (inout Pending) -> T) -> T { state.withLock { body(&$0) } }
    }
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>
    let events: AsyncStream<JSONValue>
    private let eventSink: AsyncStream<JSONValue>.Continuation

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func connect(_ url: String) async throws -> DevTools {
        let (opened, openedSink) = AsyncStream<Bool>.makeStream()
        let devtools = DevTools(url: url, opened: openedSink)
        for await ok in opened {
            if ok { return devtools }
            break
        }
        throw Failure(description: "could not connect to \(url)")
    }

    private init(url: String, opened: AsyncStream<Bool>.Continuation) {
        let (outgoing, outgoingSink) = AsyncStream<String>.makeStream()
        self.outgoing = outgoingSink
        (events, eventSink) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let pending = pending
        let events = eventSink
        task = Task {
            let transport = WSClientTransport()
            do { _ = try await transport.connect(url: url, headers: [], options: SocketOptions(maxFrameSize: 64 << 20, heartbeat: .seconds(60))) {
                channel in
                opened.yield(true)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in outgoing { try? await channel.send(text: text) }
                    }
                    group.addTask {
                        do {
                            for try await message in channel.inbound {
                                guard case .text(let text) = message, let value = try? JSONValue.parse(text) else { continue }
                                if let id = value["id"]?.intValue {
                                    let waiter = pending.withLock { $0.waiting.removeValue(forKey: id) }
                                    if let error = value["error"] {
                                        waiter?.resume(throwing: Failure(description: JSONWriter.string(error) + (value["message"]?.stringValue.map { ": " + $0 } ?? "")))
                                    } else {
                                        waiter?.resume(returning: value["result"] ?? .null)
                                    }
                                } else {
                                    events.yield(value)
                                }
                            }
                        } catch {}
                    }
                    await group.next()
                    group.cancelAll()
                }
            } } catch {
                // Refused, or closed by `close()`: callers waiting are told below.
            }
            opened.yield(false)
            opened.finish()
            events.finish()
            let waiters = pending.withLock { state in
                state.closed = true
                defer { state.waiting = [:] }
                return Array(state.waiting.values)
            }
            for waiter in waiters { waiter.resume(throwing: Failure(description: "the DevTools connection closed")) }
        }
    }

    /// Calls `method` and returns its result (throws the protocol's error).
    func call(_ method: String, _ params: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = pending.withLock { state in
                guard !state.closed else { return nil }
                let id = state.next
                state.next += 1
                state.waiting[id] = continuation
                return id
            }
            guard let id else { return continuation.resume(throwing: Failure(description: "the DevTools connection is closed")) }
            let message = JSONValue.object([
                JSONField("id", .number(Double(id))), JSONField("method", .string(method)),
                JSONField("params", .object(params.sorted { $0.key < $1.key }.map { JSONField($0.key, $0.value) })),
            ])
            outgoing.yield(JSONWriter.string(message))
        }
    }

    func close() async {
        outgoing.finish()
        task.cancel()
        await task.value
    }
}

/// A tab: navigate, evaluate, wait for a condition on the DOM, screenshots.
final class DevToolsPage: BrowserPage {
    let devtools: DevTools

    var browserName: String { "Chromium" }

    init(_ devtools: DevTools) { self.devtools = devtools }

    func navigate(_ url: String) async throws {
        let result = try await devtools.call("Page.navigate", ["url": .string(url)])
        if let error = result["errorText"]?.stringValue { throw Chromium.Failure(description: "navigate \(url): \(error)") }
    }

    /// The value of a JavaScript expression (a promise is awaited).
    @discardableResult
    func evaluate(_ expression: String) async throws -> JSONValue {
        let result = try await devtools.call(
            "Runtime.evaluate", ["expression": .string(expression), "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] {
            let text = exception["exception"]?["description"]?.stringValue ?? exception["text"]?.stringValue ?? JSONWriter.string(exception)
            throw Chromium.Failure(description: text)
        }
        return result["result"]?["value"] ?? .null
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        let result = try await devtools.call("Page.captureScreenshot", ["format": "png"])
        guard let text = result["data"]?.stringValue, let data = Data(base64Encoded: text) else {
            throw Chromium.Failure(description: "no screenshot data")
        }
        return data
    }

    /// Puts `paths` in the file input `selector`, as a person choosing files would.
    func setFiles(_ selector: String, _ paths: [String]) async throws {
        let document = try await devtools.call("DOM.getDocument", ["depth": 0])
        guard let root = document["root"]?["nodeId"] else { throw Chromium.Failure(description: "no document") }
        let found = try await devtools.call("DOM.querySelector", ["nodeId": root, "selector": .string(selector)])
        guard let node = found["nodeId"], node.intValue != 0 else { throw Chromium.Failure(description: "no \(selector)") }
        _ = try await devtools.call("DOM.setFileInputFiles", ["nodeId": node, "files": .array(paths.map(JSONValue.string))])
    }

    func close() async { await devtools.close() }
}

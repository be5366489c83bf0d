import ComfyCore
import Foundation

/// Headless Firefox (Debian's `firefox-esr`), driven over WebDriver BiDi — the standard
/// protocol Firefox speaks natively — through the same small client as Chromium's
/// DevTools (`DevTools`: the messages have the same shape).
final class Firefox: Sendable {
    let process: Process
    let exit: ExitWatch
    let profile: URL
    /// `ws://127.0.0.1:PORT`
    let address: String

    /// The binary: `$FIREFOX`, else `firefox-esr` or `firefox` on the PATH.
    static var binary: String? { BrowserBinary.find(variable: "FIREFOX", names: ["firefox-esr", "firefox"]) }

    /// Starts it on a free port with an empty profile of its own, and waits until it says
    /// where WebDriver BiDi listens.
    static func launch(width: Int = 1360, height: Int = 960) async throws -> Firefox {
        guard let binary else { throw BrowserBinary.Failure(description: "no firefox binary") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-firefox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let (process, exit, address) = try await BrowserBinary.run(binary, [
            "--headless", "--no-remote", "--profile", profile.path, "--window-size=\(width),\(height)",
            // WSClient (the project's WebSocket client) sends `Origin: ws://127.0.0.1`.
            "--remote-debugging-port", "0", "--remote-allow-origins", "ws://127.0.0.1", "about:blank",
        ])
        return Firefox(process: process, exit: exit, profile: profile, address: address)
    }

    private init(process: Process, exit: ExitWatch, profile: URL, address: String) {
        self.process = process
        self.exit = exit
        self.profile = profile
        self.address = address
    }

    /// A BiDi session and its first tab.
    func newPage() async throws -> FirefoxPage {
        let bidi = try await DevTools.connect("\(address)/session")
        _ = try await bidi.call("session.new", ["capabilities": .object([])])
        let tree = try await bidi.call("browsingContext.getTree")
        guard let context = tree["contexts"]?.arrayValue?.first?["context"]?.stringValue else {
            throw BrowserBinary.Failure(description: "no browsing context in \(tree)")
        }
        return FirefoxPage(bidi, context: context)
    }

    /// Ends it for certain: headless Firefox may ignore SIGTERM (it did here), and a
    /// throwaway profile loses nothing to SIGKILL; its child processes leave with it. Waits
    /// for it to be gone without holding a thread (`ExitWatch`).
    func close() async {
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait()
        try? FileManager.default.removeItem(at: profile)
    }
}

/// Firefox's tab, over WebDriver BiDi.
final class FirefoxPage: BrowserPage {
    let bidi: DevTools
    let context: String

    var browserName: String { "Firefox" }

    init(_ bidi: DevTools, context: String) {
        self.bidi = bidi
        self.context = context
    }

    func navigate(_ url: String) async throws {
        _ = try await bidi.call("browsingContext.navigate", ["context": .string(context), "url": .string(url), "wait": "complete"])
    }

    /// Evaluated as a script (statements allowed; its value is the last one's), as Chromium's
    /// `Runtime.evaluate` does; BiDi's typed value is turned into plain JSON (`plain`).
    @discardableResult
    func evaluate(_ expression: String) async throws -> JSONValue {
        let result = try await bidi.call("script.evaluate", [
            "expression": .string(expression), "target": .object([JSONField("context", .string(context))]),
            "awaitPromise": true, "resultOwnership": "none",
        ])
        if result["type"]?.stringValue == "exception" {
            let details = result["exceptionDetails"]
            let text = details?["text"]?.stringValue ?? JSONWriter.string(details ?? .null)
            throw BrowserBinary.Failure(description: text)
        }
        return Self.plain(result["result"] ?? .null)
    }

    /// A BiDi remote value (`{"type": "object", "value": [[key, value], …]}` …) as the JSON the
    /// page would write for it; what JSON has no word for (nodes, functions) is null.
    static func plain(_ remote: JSONValue) -> JSONValue {
        let value = remote["value"]
        switch remote["type"]?.stringValue {
        case "string", "boolean": return value ?? .null
        case "number": return value?.doubleValue.map(JSONValue.number) ?? .null  // NaN, ±Infinity, -0 come as strings
        case "array": return .array((value?.arrayValue ?? []).map(plain))
        case "object":
            return .object((value?.arrayValue ?? []).compactMap { pair in
                guard let items = pair.arrayValue, items.count == 2, let key = items[0].stringValue else { return nil }
                return JSONField(key, plain(items[1]))
            })
        default: return .null
        }
    }

    func screenshot() async throws -> Data {
        let result = try await bidi.call("browsingContext.captureScreenshot", ["context": .string(context)])
        guard let text = result["data"]?.stringValue, let data = Data(base64Encoded: text) else {
            throw BrowserBinary.Failure(description: "no screenshot data")
        }
        return data
    }

    func setFiles(_ selector: String, _ paths: [String]) async throws {
        let found = try await bidi.call("script.evaluate", [
            "expression": .string("document.querySelector(\(JSONWriter.quoted(selector)))"),
            "target": .object([JSONField("context", .string(context))]), "awaitPromise": false, "resultOwnership": "root",
        ])
        guard let shared = found["result"]?["sharedId"]?.stringValue else { throw BrowserBinary.Failure(description: "no \(selector)") }
        _ = try await bidi.call("input.setFiles", [
            "context": .string(context), "element": .object([JSONField("sharedId", .string(shared))]),
            "files": .array(paths.map(JSONValue.string)),
        ])
    }

    /// Closes the browser (`browser.close`; this page holds its only session).
    func close() async {
        _ = try? await bidi.call("browser.close")
        await bidi.close()
    }
}

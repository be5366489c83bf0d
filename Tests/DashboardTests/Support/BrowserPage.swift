import ComfyCore
import Foundation
import Synchronization

/// A tab of a real browser, as the browser tests use it: Chromium over the DevTools protocol
/// (`DevToolsPage`) or Firefox over WebDriver BiDi (`FirefoxPage`). The checks are the same
/// JavaScript in both, so the page is held to the same behaviour in each.
protocol BrowserPage: Sendable {
    /// Which browser, for messages.
    var browserName: String { get }
    /// Loads `url` and returns once its load event fired.
    func navigate(_ url: String) async throws
    /// The value of a JavaScript expression, as JSON (a promise is awaited; `undefined` is null).
    @discardableResult func evaluate(_ expression: String) async throws -> JSONValue
    /// A PNG of the viewport.
    func screenshot() async throws -> Data
    /// Puts `paths` in the file input `selector`, as a person choosing files would.
    func setFiles(_ selector: String, _ paths: [String]) async throws
    func close() async
}

extension BrowserPage {
    /// Waits, in the page, until `condition` (an expression) is truthy; returns its value.
    /// Checked at every DOM change and every 20 ms, up to `seconds`; then it fails naming
    /// the condition. (The limit only ends a test that would otherwise hang; nothing waits
    /// for time to pass.)
    @discardableResult
    func waitFor(_ condition: String, seconds: Double = 20) async throws -> JSONValue {
        try await evaluate("""
            new Promise((resolve, reject) => {
              const limit = performance.now() + \(Int(seconds * 1000));
              const check = () => {
                let value;
                try { value = (\(condition)); } catch (error) { value = undefined; }
                if (value) { observer.disconnect(); return resolve(value); }
                if (performance.now() > limit) { observer.disconnect(); return reject(new Error("timed out waiting for: " + \(JSONWriter.quoted(condition)))); }
                setTimeout(check, 20);
              };
              const observer = new MutationObserver(() => {
                let value;
                try { value = (\(condition)); } catch (error) { value = undefined; }
                if (value) { observer.disconnect(); resolve(value); }
              });
              observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
              check();
            })
            """)
    }
}

/// Finds a browser's binary: `$VARIABLE` if set, else the first of `names` on the PATH.
enum BrowserBinary {
    static func find(variable: String, names: [String]) -> String? {
        if let path = ProcessInfo.processInfo.environment[variable], FileManager.default.isExecutableFile(atPath: path) { return path }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for folder in folders {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }
}

extension BrowserBinary {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `binary` and waits until it says, on its standard error, the `ws://` address it
    /// listens on (both browsers print it once their remote protocol is up; with port 0 it
    /// is the only way to learn the port). Returns the process, its exit, and that address.
    static func run(_ binary: String, _ arguments: [String]) async throws -> (Process, ExitWatch, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let (lines, sink) = AsyncStream<String>.makeStream()
        LineReader.follow(err.fileHandleForReading, into: sink)
        let exit = ExitWatch(process)
        try process.run()
        var seen: [String] = []
        for await line in lines {
            seen.append(line)
            if let range = line.range(of: "ws://") {
                return (process, exit, String(line[range.lowerBound...]).trimmingCharacters(in: .whitespaces))
            }
        }
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait()
        throw Failure(description: "\(binary) exited without a ws:// address:\n" + seen.suffix(20).joined(separator: "\n"))
    }
}

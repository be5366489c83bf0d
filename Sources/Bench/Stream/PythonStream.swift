import Foundation
import ComfyCore

/// The Python reference client on the same stream, in the same run: `bench/python_stream.py`
/// (websocket-client, json.loads and dict updates, as ComfyUI's example client) in a child
/// process, connected to the same flood server. Its end time comes back on
/// CLOCK_MONOTONIC, which this process reads too, so it is timed exactly like the Swift
/// clients: from the server's first write to the sentinel processed.
enum PythonStream {
    struct Figures {
        var perSecond: Double
        var python: String?
        var websocketClient: String?
    }

    static let installHint = "bench/setup.sh (python3 -m pip install websocket-client websockets aiohttp)"

    /// `client` is the script's `--client`: websocket-client, websockets or aiohttp.
    static func throughput(
        server: FloodServer, frames: StreamFrames, count: Int, python: String, script: String, promptID: String,
        client: String = "websocket-client", skipUTF8Validation: Bool
    ) async -> Result<Figures, PythonBaseline.Unavailable> {
        guard FileManager.default.fileExists(atPath: script) else {
            return .failure(.init(description: "no Python script at \(script) (run from the package root)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [python, script, server.webSocketURL, "--sentinel", String(StreamFrames.sentinelRemaining), "--prompt-id", promptID]
            + ["--client", client] + (skipUTF8Validation ? ["--skip-utf8-validation"] : [])
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            return .failure(.init(description: "cannot start /usr/bin/env \(python): \(error.localizedDescription)"))
        }
        // Both pipes are drained while it runs (a traceback could fill one).
        let out = PipeReader.readToEnd(stdout)
        let err = PipeReader.readToEnd(stderr)

        var flood: FloodResult?
        var floodError: (any Error)?
        if let connection = await server.nextConnection(giveUp: { !process.isRunning }) {
            do { flood = try await connection.flood(FloodPlan(frames: frames, count: count, rate: nil)) } catch { floodError = error }
        } else if process.isRunning {
            process.terminate()
        }
        let output = String(decoding: await out.value, as: UTF8.self)
        let errors = String(decoding: await err.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }

        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 3 {
                return .failure(.init(description: "the \(client) module is missing: \(installHint)"))
            }
            if process.terminationStatus == 127 { return .failure(.init(description: "\(python) not found on PATH")) }
            let tail = errors.split(separator: "\n").last.map(String.init) ?? "no message"
            return .failure(.init(description: "\(script) exited with \(process.terminationStatus): \(tail)"))
        }
        guard let flood else {
            return .failure(.init(description: "the Python client \(floodError.map { "failed: \($0)" } ?? "did not connect")"))
        }
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        guard let result = try? JSONValue.parse(last), let end = result["end_ns"]?.doubleValue,
            result["frames"]?.intValue == count + 1
        else {
            return .failure(.init(description: "unexpected output from \(script): \(last)"))
        }
        let seconds = Monotonic.seconds(from: flood.startNs, to: UInt64(end))
        return .success(Figures(
            perSecond: Double(count) / seconds, python: result["python"]?.stringValue,
            websocketClient: result["websocket_client"]?.stringValue))
    }
}

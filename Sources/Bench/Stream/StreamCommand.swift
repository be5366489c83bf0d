import ArgumentParser
import Foundation
import ComfyCore

/// `comfysh-bench stream`: the fixture frames streamed over loopback WebSocket by the
/// flood server to three clients in turn, in the same run:
///
/// * `e2e`: the real client stack into the store (`EndToEnd`), and its per-frame latency
///   at a steady rate;
/// * `raw_transport`: the same WebSocket client reading the same stream with no decoding
///   (`RawTransport`), the ceiling;
/// * `python_baseline`: ComfyUI's example client loop in Python (`PythonStream`), with
///   websocket-client as the example uses it, and again without its UTF-8 check; then the
///   same loop on `websockets` and on aiohttp (the fastest of all is what e2e is held to).
struct StreamCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "End-to-end, raw-transport and Python client throughput over loopback WebSocket.")

    @Option(help: "Frames per Swift throughput run.")
    var frames = 300_000

    @Option(help: "Frames per Python run (it is slower; the rate is what is compared).")
    var pythonFrames = 40_000

    @Option(help: "Frames per second for the latency run.")
    var latencyRate = 10_000.0

    @Option(help: "Frames in the latency run.")
    var latencyFrames = 30_000

    @Option(help: "The folder of *.jsonl transcripts to take frames from.")
    var fixtures = "Tests/Fixtures/comfyui"

    @Option(help: "The Python interpreter for the baseline.")
    var python = "python3"

    @Option(help: "The Python client script.")
    var pythonScript = "bench/python_stream.py"

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func validate() throws {
        guard frames > 0, pythonFrames > 0, latencyFrames > 0, latencyRate > 0 else {
            throw ValidationError("frame counts and the rate must be positive")
        }
    }

    func measure() async throws -> Report {
        let set = try FrameSet.load(directory: fixtures)
        let stream = StreamFrames(set)
        let server = try await FloodServer.start()
        do {
            let report = try await measure(server: server, set: set, stream: stream)
            await server.stop()
            return report
        } catch {
            await server.stop()
            throw error
        }
    }

    private func measure(server: FloodServer, set: FrameSet, stream: StreamFrames) async throws -> Report {
        progress("stream: raw transport, \(frames) frames")
        let raw = try await RawTransport.throughput(server: server, frames: stream, count: frames)
        progress("stream: end to end (ComfyClient into the store), \(frames) frames")
        let e2e = try await EndToEnd.throughput(server: server, frames: stream, count: frames)
        progress("stream: latency at \(Int(latencyRate)) frames/s, \(latencyFrames) frames")
        let latencies = Latencies(
            microseconds: try await EndToEnd.latency(server: server, frames: stream, count: latencyFrames, rate: latencyRate))
        progress("stream: python (\(python) \(pythonScript)), \(pythonFrames) frames")
        let py = await PythonStream.throughput(
            server: server, frames: stream, count: pythonFrames, python: python, script: pythonScript,
            promptID: set.samplePromptID, skipUTF8Validation: false)
        progress("stream: python without UTF-8 validation, \(pythonFrames) frames")
        let pyFast = await PythonStream.throughput(
            server: server, frames: stream, count: pythonFrames, python: python, script: pythonScript,
            promptID: set.samplePromptID, skipUTF8Validation: true)

        progress("stream: python with websockets (asyncio, C speed-ups), \(pythonFrames) frames")
        let pyWebsockets = await PythonStream.throughput(
            server: server, frames: stream, count: pythonFrames, python: python, script: pythonScript,
            promptID: set.samplePromptID, client: "websockets", skipUTF8Validation: false)
        progress("stream: python with aiohttp, \(pythonFrames) frames")
        let pyAiohttp = await PythonStream.throughput(
            server: server, frames: stream, count: pythonFrames, python: python, script: pythonScript,
            promptID: set.samplePromptID, client: "aiohttp", skipUTF8Validation: false)

        let pyRate = try? py.get().perSecond
        let pyFastRate = try? pyFast.get().perSecond
        let pyWebsocketsRate = try? pyWebsockets.get().perSecond
        let pyAiohttpRate = try? pyAiohttp.get().perSecond
        // The fastest Python client of this run, whichever library it was.
        let fastest = [pyFastRate, pyWebsocketsRate, pyAiohttpRate, pyRate].compactMap { $0 }.max()
        var report = Report()
        report.add("e2e_msgs_per_s", e2e.perSecond, .rate)
        report.add("e2e_p50_us", latencies.percentile(50), .microseconds)
        report.add("e2e_p99_us", latencies.percentile(99), .microseconds)
        report.add("e2e_max_us", latencies.max, .microseconds)
        report.add("raw_transport_msgs_per_s", raw, .rate)
        report.add("python_baseline_msgs_per_s", pyRate, .rate)
        report.add("python_skip_utf8_msgs_per_s", pyFastRate, .rate)
        report.add("python_websockets_msgs_per_s", pyWebsocketsRate, .rate)
        report.add("python_aiohttp_msgs_per_s", pyAiohttpRate, .rate)
        report.add("e2e_vs_python", ratio(e2e.perSecond, pyRate), .ratio)
        report.add("e2e_vs_python_skip_utf8", ratio(e2e.perSecond, pyFastRate), .ratio)
        report.add("e2e_vs_python_fastest", ratio(e2e.perSecond, fastest), .ratio)
        report.add("e2e_vs_raw_transport", ratio(e2e.perSecond, raw), .ratio)
        report.add("e2e_http_follow_ups", Double(e2e.httpCalls), .count)
        report.context = [
            JSONField("stream_frames", .number(Double(frames))),
            JSONField("stream_python_frames", .number(Double(pythonFrames))),
            JSONField("stream_latency_rate", .number(latencyRate)),
            JSONField("stream_frames_per_pass", .number(Double(stream.frames.count))),
            JSONField("stream_bytes_per_pass", .number(Double(stream.payloadBytesPerPass))),
            JSONField("stream_python_clients", .array([py, pyWebsockets, pyAiohttp].compactMap { (try? $0.get().websocketClient) ?? nil }.map(JSONValue.string))),
        ]
        report.notes.append("")
        report.notes.append(
            "stream: \(stream.frames.count) frames per pass (\(stream.payloadBytesPerPass / 1024) KiB), new prompt ids every pass; "
                + "e2e kept \(e2e.prompts) prompt records and made \(e2e.httpCalls) HTTP follow-ups (answered in process); "
                + "latency measured at \(Int(latencyRate)) frames/s, server write → store subscriber")
        for (name, result) in [
            ("python_baseline", py), ("python_skip_utf8", pyFast), ("python_websockets", pyWebsockets), ("python_aiohttp", pyAiohttp),
        ] {
            if case .failure(let why) = result {
                report.notes.append("\(name) is n/a: \(why)")
                report.context.append(JSONField("\(name)_error", .string(why.description)))
            }
        }
        return report
    }
}

func progress(_ what: String) {
    FileHandle.standardError.write(Data("measuring \(what)…\n".utf8))
}

func ratio(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b, b > 0 else { return nil }
    return a / b
}

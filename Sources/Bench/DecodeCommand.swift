import ArgumentParser
import Foundation
import ComfyCore

/// `comfysh-bench decode`: how fast incoming frames become actions and state, against
/// the baselines a client could use instead (Foundation's decoders, Python's json).
struct DecodeCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Measure frame decoding, decode-and-reduce and replay throughput.",
        discussion: """
            Loads every incoming frame of the transcripts in --fixtures and measures, each \
            on one core and single-threaded, whole passes over the frames repeated until \
            --seconds have passed: comfysh's text and binary decoders, decode plus reduce \
            into the state, whole-transcript replay, Foundation's JSONDecoder and \
            JSONSerialization, and (in a python3 child process, on the same frames) \
            json.loads alone and with a typical client's dict updates.

            Prints a table; with --json, also one JSON object with every figure on the \
            last line. Progress goes to standard error.
            """
    )

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    @Option(help: "Minimum seconds to measure each figure.")
    var seconds: Double = 2

    @Option(help: "The folder of *.jsonl transcripts to take frames from.")
    var fixtures = "Tests/Fixtures/comfyui"

    @Option(help: "The Python interpreter for the json.loads baseline.")
    var python = "python3"

    @Option(help: "The Python baseline script.")
    var pythonScript = "bench/python_decode.py"

    @Option(help: ArgumentHelp("Measure only this figure (e.g. decode_reduce), for profiling.", visibility: .hidden))
    var only: String?

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
    }

    func measure() throws -> Report {
        let frames: FrameSet
        do { frames = try FrameSet.load(directory: fixtures) } catch {
            FileHandle.standardError.write(Data("comfysh-bench decode: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let large = LargeSnapshots(nodes: 500)
        var report = Report()
        var checksum = 0

        // comfysh's own code, in the order data flows through a client.
        let text = measure("decode_text", frames.text.count) { StoreWorkloads.decodeText(frames.text) }
        let binary = measure("decode_binary", frames.binary.count) { StoreWorkloads.decodeBinary(frames.binary) }
        let reduce = measure("decode_reduce", frames.stream.count) { StoreWorkloads.decodeAndReduce(frames.stream) }
        let reduceAlone = measure("decode_reduce_frames_alone", frames.stream.count) { StoreWorkloads.decodeAndReduceFramesAlone(frames.stream) }
        let replay = measure("replay", frames.replayActions) { StoreWorkloads.replay(frames.transcripts) }
        let snapshots = measure("progress_state_500", large.frames.count) { StoreWorkloads.decodeAndReduce(large.frames, start: large.start) }
        let snapshotsAlone = measure("progress_state_500_frames_alone", large.frames.count) {
            StoreWorkloads.decodeAndReduceFramesAlone(large.frames, start: large.start)
        }

        // Foundation's decoders. Rejections are counted once, untimed, per pass.
        let decoder = JSONDecoder()
        var decoderRejected = 0
        _ = FoundationWorkloads.jsonDecoder(frames.text, decoder: decoder, rejected: &decoderRejected)
        var serializationRejected = 0
        _ = FoundationWorkloads.jsonSerialization(frames.text, rejected: &serializationRejected)
        let jsonDecoder = measure("foundation_jsondecoder", frames.text.count) {
            var ignored = 0
            return FoundationWorkloads.jsonDecoder(frames.text, decoder: decoder, rejected: &ignored)
        }
        let jsonSerialization = measure("foundation_jsonserialization", frames.text.count) {
            var ignored = 0
            return FoundationWorkloads.jsonSerialization(frames.text, rejected: &ignored)
        }
        let measurements = [
            "decode_text": text, "decode_binary": binary, "decode_reduce": reduce, "decode_reduce_frames_alone": reduceAlone, "replay": replay,
            "progress_state_500": snapshots, "progress_state_500_frames_alone": snapshotsAlone,
            "foundation_jsondecoder": jsonDecoder, "foundation_jsonserialization": jsonSerialization,
        ]
        for m in measurements.values { checksum &+= m.checksum }
        let inconsistent = measurements.filter { !$0.value.consistent }.keys.sorted()

        // Python last, alone on the machine.
        if only == nil { progress("python json.loads baseline (\(python) \(pythonScript))") }
        let pythonResult = only != nil ? .failure(.init(description: "--only")) : PythonBaseline.run(
            script: pythonScript, python: python, frames: frames.text, promptID: frames.samplePromptID,
            seconds: seconds)
        let py = try? pythonResult.get()

        report.add("decode_text_msgs_per_s", text.perSecond, .rate)
        report.add("decode_binary_msgs_per_s", binary.perSecond, .rate)
        report.add("decode_reduce_msgs_per_s", reduce.perSecond, .rate)
        report.add("decode_reduce_frames_alone_msgs_per_s", reduceAlone.perSecond, .rate)
        report.add("replay_msgs_per_s", replay.perSecond, .rate)
        report.add("progress_state_500_msgs_per_s", snapshots.perSecond, .rate)
        report.add("progress_state_500_mb_per_s", snapshots.perSecond * Double(large.bytesPerFrame) / 1e6, .megabytesPerSecond)
        // The stream decoder against decoding each snapshot alone, in this run.
        report.add("progress_state_500_frames_alone_msgs_per_s", snapshotsAlone.perSecond, .rate)
        report.add("foundation_jsondecoder_msgs_per_s", jsonDecoder.perSecond, .rate)
        report.add("foundation_jsonserialization_msgs_per_s", jsonSerialization.perSecond, .rate)
        report.add("python_json_loads_msgs_per_s", py?.loadsPerSecond, .rate)
        report.add("python_loads_and_dict_update_msgs_per_s", py?.loadsAndDictUpdatePerSecond, .rate)
        report.add("decode_text_vs_python_loads", ratio(text.perSecond, py?.loadsPerSecond), .ratio)
        report.add("decode_reduce_vs_python_client", ratio(reduce.perSecond, py?.loadsAndDictUpdatePerSecond), .ratio)
        report.add("decode_text_vs_jsondecoder", ratio(text.perSecond, jsonDecoder.perSecond), .ratio)
        report.add("frames_text", Double(frames.text.count), .count)
        report.add("frames_binary", Double(frames.binary.count), .count)
        report.add("replay_actions_per_pass", Double(frames.replayActions), .count)
        report.add("jsondecoder_rejected_per_pass", Double(decoderRejected), .count)
        report.add("jsonserialization_rejected_per_pass", Double(serializationRejected), .count)

        report.context = [
            JSONField("seconds", .number(seconds)),
            JSONField("transcripts", .number(Double(frames.transcripts.count))),
            JSONField("machine", .object([
                JSONField("arch", .string(Machine.architecture)),
                JSONField("cores", .number(Double(Machine.cores))),
            ])),
            JSONField("date", .string(Machine.date)),
            JSONField("swift", .string(Machine.compiler)),
            JSONField("python", py?.version.map(JSONValue.string) ?? .null),
            JSONField("checksum", .number(Double(checksum & 0xFFFF_FFFF))),
        ]
        report.notes.append("")
        report.notes.append(
            "\(frames.text.count) text and \(frames.binary.count) binary frames from \(frames.transcripts.count) transcripts in \(fixtures); "
                + "\(Machine.architecture), \(Machine.cores) cores, Swift \(Machine.compiler); checksum \(checksum & 0xFFFF_FFFF)")
        if frames.unreadableBinary > 0 {
            report.notes.append("\(frames.unreadableBinary) binary frames had broken base64 and were left out")
        }
        if !inconsistent.isEmpty {
            report.notes.append("WARNING: passes gave different results (nondeterministic code?): \(inconsistent.joined(separator: ", "))")
            report.context.append(JSONField("inconsistent", .array(inconsistent.map(JSONValue.string))))
        }
        if case .failure(let why) = pythonResult {
            report.notes.append("python figures are n/a: \(why)")
            report.context.append(JSONField("python_error", .string(why.description)))
        }

        return report
    }

    /// One figure, with a progress line on stderr (a full run takes a while).
    private func measure(_ name: String, _ messagesPerPass: Int, _ pass: () -> Int) -> Measurement {
        if let only, only != name { return Measurement(messages: 0, seconds: 0, checksum: 0, consistent: true) }
        progress(name)
        return Stopwatch.measure(seconds: seconds, messagesPerPass: messagesPerPass, pass)
    }

}

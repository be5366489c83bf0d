import ComfyLive
import FuzzSupport
import ComfyCore

/// libFuzzer entry point: the bytes of a transcript file (JSON Lines, the fixture format).
///
/// They go to the real reader (`TranscriptReader.parse`, what `comfysh replay` reads a
/// file with) and, if it accepts the file, to the real replay
/// (`TranscriptActions.replay`: decoders, reducers) with every step shown as `replay`
/// shows it (summary and diff), then the final state written as JSON (`replay --json`)
/// and each entry written back as a line and as a trace line.
///
/// A file with one bad line is refused whole, so a mutation usually breaks the file; to
/// still reach the reducers, such a file is then read line by line
/// (`TranscriptReader.entry`) and the lines that parse are replayed.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var entries: [(line: Int, entry: TranscriptEntry)] = []
    do {
        entries = try TranscriptReader.parse(bytes)
    } catch {
        _ = error.description
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if let entry = try? TranscriptReader.entry(line, number: number) { entries.append((number, entry)) }
        }
    }
    var state = AppState()
    TranscriptActions.replay(entries, into: &state) { step in
        FrontEnd.show(step.action, old: step.old, new: step.new, commands: step.commands)
    }
    _ = JSONWriter.string(state.json)
    // The same entries written back (`comfysh record`) and traced (`comfysh trace`).
    for (_, entry) in entries { _ = (JSONWriter.string(entry.json), entry.traceLine()) }
    return 0
}

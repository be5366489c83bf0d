import Foundation
import ComfyCore

/// Python's `json.loads` on the same frames: the baseline that matters, since ComfyUI's
/// own example client and most scripts around it are Python.
///
/// It runs in a child process during the same benchmark run (same machine, same
/// moment, same frames), after the Swift measurements so the two never share the cores.
/// The frames go through a temporary file, one per line, written here from the loaded
/// frame set, so both sides measure exactly the same input.
enum PythonBaseline {
    struct Figures {
        let loadsPerSecond: Double
        let loadsAndDictUpdatePerSecond: Double
        let frames: Int
        let version: String?
    }

    /// Why there are no Python figures (reported, with the figures as null).
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func run(
        script: String, python: String, frames: [FrameSet.TextFrame], promptID: String, seconds: Double
    ) -> Result<Figures, Unavailable> {
        guard FileManager.default.fileExists(atPath: script) else {
            return .failure(Unavailable(description: "no Python script at \(script) (run from the package root)"))
        }
        // One frame per line: the recorded frames are compact JSON with no raw newlines;
        // a frame that had one would split, and the frame count check below would say so.
        var contents: [UInt8] = []
        for frame in frames {
            contents += frame.bytes
            contents.append(UInt8(ascii: "\n"))
        }
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("comfysh-bench-frames-\(ProcessInfo.processInfo.processIdentifier).txt")
        do { try Data(contents).write(to: file) } catch {
            return .failure(Unavailable(description: "cannot write \(file.path): \(error.localizedDescription)"))
        }
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        // Through env, so `python3` is found on PATH like a shell would (pyenv shims too).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, file.path, "--seconds", String(seconds), "--prompt-id", promptID]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            return .failure(Unavailable(description: "cannot start /usr/bin/env \(python): \(error.localizedDescription)"))
        }
        // The outputs are a line or a traceback, far below a pipe's buffer: reading
        // them after the exit cannot deadlock.
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let errText = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 { return .failure(Unavailable(description: "\(python) not found on PATH")) }
            let tail = errText.split(separator: "\n").last.map(String.init) ?? "no message"
            return .failure(Unavailable(description: "\(python) \(script) exited with \(process.terminationStatus): \(tail)"))
        }
        let lastLine = String(decoding: out, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let result = try? JSONValue.parse(lastLine),
            let loads = result["msgs_per_s"]?.doubleValue,
            let client = result["loads_and_dict_update_msgs_per_s"]?.doubleValue,
            let count = result["frames"]?.intValue
        else {
            return .failure(Unavailable(description: "unexpected output from \(script): \(lastLine)"))
        }
        guard count == frames.count else {
            return .failure(
                Unavailable(description: "\(script) read \(count) frames, expected \(frames.count) (a frame with a raw newline?)"))
        }
        return .success(
            Figures(loadsPerSecond: loads, loadsAndDictUpdatePerSecond: client, frames: count, version: result["python"]?.stringValue))
    }
}

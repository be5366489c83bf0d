import ComfyLive
import Foundation
import ComfyCore

/// The benchmark's input: every incoming frame of every transcript in a fixture folder,
/// prepared once so the timed loops measure decoding and reducing, not file reading,
/// base64 or String-to-bytes conversion.
struct FrameSet {
    /// An incoming text frame in the forms each contender wants, all made up front.
    struct TextFrame {
        let at: Timestamp
        /// What `FrameDecoder` reads: the frame's UTF-8, contiguous.
        let bytes: [UInt8]
        /// What Foundation's decoders read.
        let data: Data
    }

    /// A binary frame, with the progress-text layout the server had negotiated when it
    /// was sent (so the standalone binary benchmark decodes it the way a client would).
    struct BinaryFrame {
        let at: Timestamp
        let bytes: [UInt8]
        let layout: BinaryDecoder.ProgressTextLayout
    }

    /// One frame in transcript order, for the decode-and-reduce benchmark.
    enum Frame {
        case text(TextFrame)
        case binary(BinaryFrame)
    }

    /// A transcript's pre-parsed entries, for the whole-replay benchmark.
    struct Transcript {
        let name: String
        let entries: [(line: Int, entry: TranscriptEntry)]
    }

    var text: [TextFrame] = []
    var binary: [BinaryFrame] = []
    var stream: [Frame] = []
    var transcripts: [Transcript] = []
    /// Actions one replay of all transcripts dispatches (replay's messages per pass).
    var replayActions = 0
    /// A prompt id the Python client loop compares `executing` frames against, as
    /// websockets_api_example.py does with the id it submitted.
    var samplePromptID = ""

    /// Binary frames whose base64 was broken: counted, not benchmarked (there are no bytes).
    var unreadableBinary = 0

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Loads every `*.jsonl` in `directory`, in name order (so runs are comparable).
    static func load(directory: String) throws -> FrameSet {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".jsonl") }.sorted()
        } catch {
            throw LoadError(description: "cannot list fixtures in \(directory): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw LoadError(description: "no *.jsonl transcripts in \(directory)") }

        var set = FrameSet()
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            let entries: [(line: Int, entry: TranscriptEntry)]
            do { entries = try TranscriptReader.read(path: path) } catch {
                throw LoadError(description: "\(path): \(error)")
            }
            set.add(Transcript(name: name, entries: entries))
        }
        return set
    }

    /// Adds a transcript's frames. It replays the transcript once, untimed, both to count
    /// the replay's actions and to know, for each binary frame, whether the server had
    /// negotiated progress-text metadata by then.
    private mutating func add(_ transcript: Transcript) {
        transcripts.append(transcript)
        var state = AppState()
        for (_, entry) in transcript.entries {
            switch entry {
            case .text(let t, _, true, let string):
                let bytes = Array(string.utf8)
                let frame = TextFrame(at: Timestamp(seconds: t), bytes: bytes, data: Data(bytes))
                text.append(frame)
                stream.append(.text(frame))
                if samplePromptID.isEmpty, let id = Self.executionStartPromptID(string) { samplePromptID = id }
            case .binary(let t, _, let bytes?):
                let layout: BinaryDecoder.ProgressTextLayout =
                    state.connection.progressTextMetadata ? .withPromptID : .released
                let frame = BinaryFrame(at: Timestamp(seconds: t), bytes: bytes, layout: layout)
                binary.append(frame)
                stream.append(.binary(frame))
            case .binary(_, _, nil):
                unreadableBinary += 1
            default:
                break
            }
            for action in TranscriptActions.actions(for: entry, in: state) {
                state.apply(action)
                replayActions += 1
            }
        }
    }

    private static func executionStartPromptID(_ text: String) -> String? {
        guard let frame = try? JSONValue.parse(text), frame["type"]?.stringValue == "execution_start" else { return nil }
        return frame["data"]?["prompt_id"]?.stringValue
    }
}

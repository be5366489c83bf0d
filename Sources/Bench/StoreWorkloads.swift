import ComfyLive
import ComfyCore

/// The contenders from this package: the protocol decoders, the reducer, and whole
/// transcript replay. Each returns one pass's digest for `Stopwatch.measure`.
enum StoreWorkloads {
    /// `FrameDecoder` over the text frames, reading the bytes in place, as the socket
    /// layer will hand them over.
    static func decodeText(_ frames: [FrameSet.TextFrame]) -> Int {
        var digest = 0
        for frame in frames {
            let action = frame.bytes.withUnsafeBufferPointer { FrameDecoder.decode(utf8: $0, at: frame.at) }
            digest &+= Digest.of(action)
        }
        return digest
    }

    /// `BinaryDecoder` over the binary frames (previews and progress text).
    static func decodeBinary(_ frames: [FrameSet.BinaryFrame]) -> Int {
        var digest = 0
        for frame in frames {
            digest &+= Digest.of(BinaryDecoder.decode(frame.bytes, at: frame.at, layout: frame.layout))
        }
        return digest
    }

    /// What the live client does per frame: decode it, then reduce it into the state.
    /// A fresh state per pass, so every pass does the same work (a first `status`, new
    /// prompt records) instead of updating an ever larger state.
    /// With the socket's `StreamDecoder`, as the live client decodes.
    static func decodeAndReduce(_ frames: [FrameSet.Frame], start: [FrameSet.Frame] = []) -> Int {
        var state = AppState()
        var decoder = StreamDecoder()
        for frame in start { state.apply(decode(frame, in: state, &decoder)) }
        var digest = 0
        for frame in frames {
            digest &+= state.apply(decode(frame, in: state, &decoder)).count
        }
        return digest &+ Digest.of(state)
    }

    /// The same, each frame decoded alone (`FrameDecoder`, no memory of the last one):
    /// what `StreamDecoder` is measured against, side by side.
    static func decodeAndReduceFramesAlone(_ frames: [FrameSet.Frame], start: [FrameSet.Frame] = []) -> Int {
        var state = AppState()
        func decode(_ frame: FrameSet.Frame) -> ComfyAction {
            switch frame {
            case .text(let text): text.bytes.withUnsafeBufferPointer { FrameDecoder.decode(utf8: $0, at: text.at) }
            case .binary(let binary):
                BinaryDecoder.decode(binary.bytes, at: binary.at, layout: state.connection.progressTextMetadata ? .withPromptID : .released)
            }
        }
        for frame in start { state.apply(decode(frame)) }
        var digest = 0
        for frame in frames { digest &+= state.apply(decode(frame)).count }
        return digest &+ Digest.of(state)
    }

    @inline(__always)
    static func decode(_ frame: FrameSet.Frame, in state: AppState, _ decoder: inout StreamDecoder) -> ComfyAction {
        switch frame {
        case .text(let text):
            return text.bytes.withUnsafeBufferPointer { decoder.decode(utf8: $0, at: text.at) }
        case .binary(let binary):
            // The layout from the state, as the client decides it (not the one
            // recorded at load time).
            let layout: BinaryDecoder.ProgressTextLayout =
                state.connection.progressTextMetadata ? .withPromptID : .released
            return BinaryDecoder.decode(binary.bytes, at: binary.at, layout: layout)
        }
    }

    /// `comfysh replay`'s work without the printing: every entry of every transcript
    /// (socket events, both directions of frames, HTTP results) through
    /// `TranscriptActions` and the reducer, a fresh state per transcript as each is a
    /// session of its own. Returns the digest; the action count is fixed per pass.
    static func replay(_ transcripts: [FrameSet.Transcript]) -> Int {
        var digest = 0
        for transcript in transcripts {
            var state = AppState()
            for (_, entry) in transcript.entries {
                for action in TranscriptActions.actions(for: entry, in: state) {
                    digest &+= state.apply(action).count
                }
            }
            digest &+= Digest.of(state)
        }
        return digest
    }
}

import ComfyLive
import ComfyCore

/// A long session through the store: the fixture frames, decoded and dispatched over and
/// over with fresh prompt ids per pass (as `StreamFrames` does on the wire), `actions`
/// times in all.
enum LongSession {
    struct Result {
        var actions: Int
        var perSecond: Double
        var state: AppState
        /// Resident memory after half the actions: equal to the end's when nothing grows.
        var halfwayMB: Double?
    }

    static func run(_ set: FrameSet, actions: Int, variants: Int) -> Result {
        // Each frame's bytes, owned here so they can be patched in place, with the offsets
        // of its prompt ids' last eight hex digits.
        var frames: [(bytes: [UInt8], patches: [Int], binary: Bool)] = set.stream.map { frame in
            switch frame {
            case .text(let t): (t.bytes, StreamFrames.promptIDTails(t.bytes), false)
            case .binary(let b): (b.bytes, StreamFrames.promptIDTails(b.bytes), true)
            }
        }
        let store = ComfyStore()
        var done = 0
        var pass: UInt32 = 0
        var t = 0.0
        let clock = ContinuousClock()
        let start = clock.now
        var halfwayMB: Double?
        while done < actions {
            if halfwayMB == nil, done >= actions / 2 { halfwayMB = ResidentMemory.currentMB }
            let variant = pass % UInt32(max(1, variants))
            for i in frames.indices where done < actions {
                for offset in frames[i].patches {
                    StreamFrames.patch({ frames[i].bytes[$0] = $1 }, at: offset, pass: variant)
                }
                t += 0.0001
                let at = Timestamp(seconds: t)
                let action: ComfyAction
                if frames[i].binary {
                    let layout: BinaryDecoder.ProgressTextLayout = .released
                    action = BinaryDecoder.decode(frames[i].bytes, at: at, layout: layout)
                } else {
                    action = frames[i].bytes.withUnsafeBufferPointer { FrameDecoder.decode(utf8: $0, at: at) }
                }
                store.dispatch(action)
                done += 1
            }
            pass &+= 1
        }
        let seconds = (clock.now - start).inSeconds
        return Result(actions: done, perSecond: Double(done) / seconds, state: store.state, halfwayMB: halfwayMB)
    }
}

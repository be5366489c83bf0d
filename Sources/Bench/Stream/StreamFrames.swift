/// The stream the end-to-end, raw-transport and Python figures share: every incoming
/// frame of the fixture transcripts, in transcript order, encoded once as server-to-client
/// WebSocket frames (unmasked, one per message) so the flood server only copies bytes.
///
/// The frame set is sent over and over. Each pass gets its own prompt ids — the last
/// eight hex digits of every prompt id in a frame are overwritten with the pass number —
/// so the client does a real session's work on every pass (new prompts start, run and
/// end) instead of ignoring late frames for prompts that already ended.
///
/// The stream ends with a sentinel: a `status` frame whose `queue_remaining` no recorded
/// frame has, which every client can recognise once it has processed everything before.
struct StreamFrames: Sendable {
    struct Frame: Sendable {
        /// Header and payload, ready to write.
        let bytes: [UInt8]
        /// Offsets into `bytes` of the eight hex digits to overwrite with the pass number.
        let patches: [Int]
    }

    let frames: [Frame]
    let sentinel: [UInt8]
    /// Payload bytes of one pass (to report MB/s and frame sizes).
    let payloadBytesPerPass: Int

    static let sentinelRemaining = 424_242
    static let sentinelText = #"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 424242}}}}"#

    init(_ set: FrameSet) {
        var frames: [Frame] = []
        var payload = 0
        for frame in set.stream {
            switch frame {
            case .text(let text):
                frames.append(Self.frame(opcode: 0x1, payload: text.bytes))
                payload += text.bytes.count
            case .binary(let binary):
                frames.append(Self.frame(opcode: 0x2, payload: binary.bytes))
                payload += binary.bytes.count
            }
        }
        self.frames = frames
        self.payloadBytesPerPass = payload
        self.sentinel = Self.encode(opcode: 0x1, payload: Array(Self.sentinelText.utf8))
    }

    /// One binary frame repeated (the preview stream of the memory figure).
    init(repeating payload: [UInt8]) {
        frames = [Frame(bytes: Self.encode(opcode: 0x2, payload: payload), patches: [])]
        payloadBytesPerPass = payload.count
        sentinel = Self.encode(opcode: 0x1, payload: Array(Self.sentinelText.utf8))
    }

    private static func frame(opcode: UInt8, payload: [UInt8]) -> Frame {
        let bytes = encode(opcode: opcode, payload: payload)
        let header = bytes.count - payload.count
        return Frame(bytes: bytes, patches: promptIDTails(payload).map { $0 + header })
    }

    /// A final, unmasked frame (server to client), RFC 6455 section 5.2.
    static func encode(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x80 | opcode]
        let n = payload.count
        if n < 126 {
            out.append(UInt8(n))
        } else if n <= 0xFFFF {
            out.append(126)
            out += [UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(n) >> UInt64(shift)) & 0xFF)) }
        }
        return out + payload
    }

    /// Offsets of the last eight hex digits of every lowercase 8-4-4-4-12 UUID (the
    /// shape of ComfyUI prompt ids; client ids are 32 hex digits without dashes).
    static func promptIDTails(_ bytes: [UInt8]) -> [Int] {
        let dashes: Set<Int> = [8, 13, 18, 23]
        func isHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x61...0x66).contains(c) }
        var out: [Int] = []
        var i = 0
        while i + 36 <= bytes.count {
            var match = true
            for k in 0..<36 {
                let c = bytes[i + k]
                if dashes.contains(k) ? c != UInt8(ascii: "-") : !isHex(c) {
                    match = false
                    break
                }
            }
            let bounded = (i == 0 || !isHex(bytes[i - 1])) && (i + 36 == bytes.count || !isHex(bytes[i + 36]))
            if match && bounded {
                out.append(i + 28)
                i += 36
            } else {
                i += 1
            }
        }
        return out
    }

    /// Writes `pass` as eight lowercase hex digits at `offset`.
    @inline(__always)
    static func patch(_ write: (Int, UInt8) -> Void, at offset: Int, pass: UInt32) {
        let digits: StaticString = "0123456789abcdef"
        for k in 0..<8 {
            let nibble = Int((pass >> UInt32(28 - 4 * k)) & 0xF)
            write(offset + k, digits.utf8Start[nibble])
        }
    }
}

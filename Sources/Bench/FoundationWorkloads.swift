import Foundation

/// The baselines a naive Swift client would reach for: Foundation's JSON decoders on
/// the same text frames. They are what `FrameDecoder` has to beat to be worth its code.
enum FoundationWorkloads {
    /// The envelope of every ComfyUI text frame, with the few fields a simple client
    /// reads. Optional fields, so one struct fits every message type (missing keys are
    /// nil); a field of another JSON type, or no `data` at all, still throws.
    struct Envelope: Decodable {
        let type: String
        let data: Payload
    }

    struct Payload: Decodable {
        let promptID: String?
        let node: String?
        let value: Double?
        let max: Double?

        enum CodingKeys: String, CodingKey {
            case promptID = "prompt_id"
            case node, value, max
        }
    }

    /// `JSONDecoder` into `Envelope`. One decoder for all frames, as a client would keep.
    /// Frames it rejects count as decoded (rejecting is its answer for the frame) and
    /// are added to `rejected`, so a large number can explain a suspicious figure.
    static func jsonDecoder(_ frames: [FrameSet.TextFrame], decoder: JSONDecoder, rejected: inout Int) -> Int {
        var digest = 0
        for frame in frames {
            do {
                let envelope = try decoder.decode(Envelope.self, from: frame.data)
                digest &+= envelope.type.utf8.count &+ (envelope.data.node?.utf8.count ?? 0)
            } catch {
                rejected += 1
            }
        }
        return digest
    }

    /// `JSONSerialization` into untyped dictionaries (the other naive route).
    static func jsonSerialization(_ frames: [FrameSet.TextFrame], rejected: inout Int) -> Int {
        var digest = 0
        for frame in frames {
            do {
                let object = try JSONSerialization.jsonObject(with: frame.data)
                digest &+= (object as? [String: Any])?.count ?? 0
            } catch {
                rejected += 1
            }
        }
        return digest
    }
}

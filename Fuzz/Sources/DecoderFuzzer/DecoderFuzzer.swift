import FuzzSupport
import ComfyCore

/// libFuzzer entry point: one WebSocket frame from the server.
///
/// Byte 0 says what kind of frame the rest is:
/// * bit 0 clear: a text frame (its UTF-8);
/// * bit 0 set: a binary frame (the whole frame, type word first), with bit 1 choosing
///   the progress-text layout the server negotiated (set: `withPromptID`).
///
/// The frame goes through the entry points the live client uses (`ComfyClient.apply`:
/// `FrameDecoder.decode(text:at:)` on the socket's `String`, `BinaryDecoder.decode`), and
/// the action is reduced, as a front end would, into an empty state and into a state in
/// the middle of a real run (`BaseStates`), with the diff rendered. Text frames are also
/// decoded from the raw bytes (`decode(utf8:)`), which may be invalid UTF-8: the decoder
/// is public and promised total over any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let frame = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let midRun = BaseStates.midRun
    let times = (empty: Timestamp(seconds: 1), midRun: midRun.lastAt + 0.5)

    var actions: (empty: ComfyAction, midRun: ComfyAction)
    if selector & 1 == 0 {
        let text = String(decoding: frame, as: UTF8.self)
        actions = (FrameDecoder.decode(text: text, at: times.empty), FrameDecoder.decode(text: text, at: times.midRun))
        _ = FrameDecoder.decode(utf8: frame, at: times.empty).event.summary
    } else {
        let layout: BinaryDecoder.ProgressTextLayout = selector & 2 == 0 ? .released : .withPromptID
        let bytes = Array(frame)
        actions = (
            BinaryDecoder.decode(bytes, at: times.empty, layout: layout),
            BinaryDecoder.decode(bytes, at: times.midRun, layout: layout)
        )
    }

    var empty = BaseStates.empty
    FrontEnd.step(&empty, actions.empty)
    var state = midRun.state
    FrontEnd.step(&state, actions.midRun)
    return 0
}

import ComfyCore

/// What every front end does with an action (`comfysh replay`, the shell): summarise it,
/// reduce it into the state, diff the two states and render the lines. All of it must be
/// total, so the fuzzers run all of it, not only the decoder.
///
/// The functions return a number made from everything produced, so the optimiser cannot
/// drop the work (the fuzzers discard it).
public enum FrontEnd {
    /// Reduces `action` into `state` and shows the change.
    @discardableResult
    public static func step(_ state: inout AppState, _ action: ComfyAction) -> Int {
        let old = state
        let commands = state.apply(action)
        return show(action, old: old, new: state, commands: commands)
    }

    /// Shows one change as `comfysh replay` does: the action's summary, then the diff.
    @discardableResult
    public static func show(_ action: ComfyAction, old: AppState, new: AppState, commands: [Command]) -> Int {
        var produced = action.event.summary.utf8.count &+ commands.count
        for line in StateDiff.between(old, new) { produced &+= line.rendered().utf8.count }
        return produced
    }
}

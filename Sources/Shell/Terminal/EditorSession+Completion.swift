import CEditLine

/// Tab: the completer's candidates for the word before the cursor (`Completion` decides what
/// to do with them). A listing is printed by `readInput` once libedit has finished the command.
extension EditorSession {
    func complete() -> UInt8 {
        guard let el = editor else { return UInt8(CC_ERROR) }
        let (beforeBytes, afterBytes) = lineBytes(el)
        let before = String(decoding: beforeBytes, as: UTF8.self)
        let after = String(decoding: afterBytes, as: UTF8.self)
        let candidates = completer(before + after, before.count)
        let word = Completion.word(beforeCursor: before)
        let outcome = Completion.outcome(word: word, candidates: candidates, nextCharacter: after.first)
        if let replacement = outcome.replacement {
            el_deletestr(el, Int32(word.unicodeScalars.count))
            _ = el_insertstr(el, replacement)
        }
        listing = Completion.columns(outcome.listing, width: columns - 1)
        if outcome.replacement == nil && outcome.listing.isEmpty { return UInt8(CC_REFRESH_BEEP) }
        return UInt8(CC_REFRESH)
    }
}

import CEditLine

/// Text measured and cut the way a terminal shows it: escape sequences take no room, wide
/// characters take two columns. Pure functions, so the layout rules are testable without a
/// terminal.
enum TerminalText {
    /// The columns `text` takes on the screen. Escape sequences (colours...) count 0. Other
    /// control characters count 0, or 2 when `controlsAsCaret` (libedit shows them as `^X`).
    /// Needs a UTF-8 `LC_CTYPE` for wide characters (`wcwidth`); in the C locale every
    /// non-ASCII character counts 1.
    static func width(_ text: String, controlsAsCaret: Bool = false) -> Int {
        var total = 0
        forEachVisible(text) { scalar in total += width(of: scalar, controlsAsCaret: controlsAsCaret) }
        return total
    }

    static func width(of scalar: Unicode.Scalar, controlsAsCaret: Bool = false) -> Int {
        let value = scalar.value
        if value < 0x20 || value == 0x7F { return controlsAsCaret ? 2 : 0 }
        if value < 0x7F { return 1 }
        let w = Int(ceditline_wcwidth(wchar_t(bitPattern: value)))
        return w < 0 ? (controlsAsCaret ? 2 : 0) : w
    }

    /// `text` without its escape sequences.
    static func stripEscapes(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        forEachVisible(text) { out.append($0) }
        return String(out)
    }

    /// `text` if it fits in `columns` columns, else its start and "…" in that width.
    static func fit(_ text: String, toWidth columns: Int) -> String {
        guard width(text) > columns else { return text }
        return truncate(text, toWidth: columns - 1) + "…"
    }

    /// The longest start of `text` that fits in `columns` columns; escape sequences are kept
    /// (and a colour reset added when something was cut off after one).
    static func truncate(_ text: String, toWidth columns: Int) -> String {
        guard width(text) > columns else { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        var sawEscape = false
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            if let sequence = escapeSequence(at: scalars) {
                out.append(contentsOf: sequence)
                scalars = scalars.dropFirst(sequence.count)
                sawEscape = true
                continue
            }
            let w = width(of: scalar)
            if used + w > columns { break }
            used += w
            out.append(scalar)
            scalars = scalars.dropFirst()
        }
        var result = String(out)
        if sawEscape { result += "\u{1B}[0m" }
        return result
    }

    /// The prompt as libedit wants it (`EL_PROMPT_ESC` with `marker`): each escape sequence
    /// between two markers, so it is printed but takes no room. Markers and other control
    /// characters already in the prompt are dropped.
    static func libeditPrompt(_ prompt: String, marker: Unicode.Scalar = "\u{01}") -> String {
        var out = String.UnicodeScalarView()
        var scalars = prompt.unicodeScalars[...]
        while let scalar = scalars.first {
            if let sequence = escapeSequence(at: scalars) {
                out.append(marker)
                out.append(contentsOf: sequence)
                out.append(marker)
                scalars = scalars.dropFirst(sequence.count)
                continue
            }
            if scalar.value >= 0x20 && scalar.value != 0x7F { out.append(scalar) }
            scalars = scalars.dropFirst()
        }
        return String(out)
    }

    /// How many rows up the cursor is from the first row of an input area that starts at
    /// column 0, when `columnsBefore` columns precede the cursor on a terminal `columns` wide.
    static func rowsAbove(columnsBefore: Int, columns: Int) -> Int {
        columns > 0 ? columnsBefore / columns : 0
    }

    /// The rows `width` columns take, at least one.
    static func rows(width: Int, columns: Int) -> Int {
        columns > 0 ? max(1, (width + columns - 1) / columns) : 1
    }

    // MARK: - Escape sequences

    private static func forEachVisible(_ text: String, _ body: (Unicode.Scalar) -> Void) {
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            if let sequence = escapeSequence(at: scalars) {
                scalars = scalars.dropFirst(sequence.count)
                continue
            }
            body(scalar)
            scalars = scalars.dropFirst()
        }
    }

    /// The escape sequence starting at `scalars`, if one does: CSI (`ESC [ ... final`), OSC
    /// (`ESC ] ... BEL` or `ESC \`), or ESC and one more character.
    private static func escapeSequence(at scalars: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView? {
        guard scalars.first == "\u{1B}" else { return nil }
        var index = scalars.index(after: scalars.startIndex)
        guard index < scalars.endIndex else { return scalars[scalars.startIndex..<index] }
        let kind = scalars[index]
        index = scalars.index(after: index)
        switch kind {
        case "[":
            while index < scalars.endIndex {
                let v = scalars[index].value
                index = scalars.index(after: index)
                if v >= 0x40 && v <= 0x7E { break }
            }
        case "]":
            while index < scalars.endIndex {
                let s = scalars[index]
                index = scalars.index(after: index)
                if s == "\u{07}" { break }
                if s == "\u{1B}", index < scalars.endIndex, scalars[index] == "\\" {
                    index = scalars.index(after: index)
                    break
                }
            }
        default:
            break
        }
        return scalars[scalars.startIndex..<index]
    }
}

/// What Tab does with the completer's candidates: pure, so it is testable.
enum Completion {
    /// The word the cursor is in: from the last blank before the cursor up to the cursor.
    /// A blank escaped with a backslash (`Positive\ Prompt.text=`) is part of the word, as the
    /// shell's tokenizer reads it.
    static func word(beforeCursor prefix: String) -> Substring {
        var start = prefix.startIndex
        var escaped = false
        var index = prefix.startIndex
        while index < prefix.endIndex {
            let c = prefix[index]
            index = prefix.index(after: index)
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == " " || c == "\t" {
                start = index
            }
        }
        return prefix[start...]
    }

    /// What to do: replace the word with `replacement` (nil: leave it) and, for several
    /// candidates, list them.
    struct Outcome: Equatable {
        var replacement: String?
        var listing: [String]
    }

    /// One candidate replaces the word, with a space after it unless it ends in "/", "=" or
    /// "." (a folder, an option's value, a node's inputs to come) or a blank already follows; several replace it with their common beginning when that
    /// is longer than the word, and are listed; none leave everything as it is.
    static func outcome(word: Substring, candidates: [String], nextCharacter: Character?) -> Outcome {
        var seen = Set<String>()
        let unique = candidates.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0:
            return Outcome(replacement: nil, listing: [])
        case 1:
            var text = unique[0]
            let blankFollows = nextCharacter == " " || nextCharacter == "\t"
            if !blankFollows && !text.hasSuffix("/") && !text.hasSuffix("=") && !text.hasSuffix(".") { text += " " }
            return Outcome(replacement: text == word ? nil : text, listing: [])
        default:
            let common = commonPrefix(unique)
            let longer = common.count > word.count && common.hasPrefix(word)
            return Outcome(replacement: longer ? common : nil, listing: unique)
        }
    }

    static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map({ Substring($0) }) else { return "" }
        for string in strings.dropFirst() {
            var a = prefix.startIndex
            var b = string.startIndex
            while a < prefix.endIndex, b < string.endIndex, prefix[a] == string[b] {
                a = prefix.index(after: a)
                b = string.index(after: b)
            }
            prefix = prefix[..<a]
        }
        return String(prefix)
    }

    /// Candidates in columns, down then across (like `ls`), each row within `columns`.
    static func columns(_ items: [String], width columns: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        let widest = items.map { TerminalText.width($0) }.max() ?? 0
        let cell = widest + 2
        let perRow = max(1, (max(columns, 1) + 2) / cell)
        let rowCount = (items.count + perRow - 1) / perRow
        var rows: [String] = []
        for row in 0..<rowCount {
            var line = ""
            var index = row
            while index < items.count {
                let item = items[index]
                index += rowCount
                line += item
                if index < items.count { line += String(repeating: " ", count: cell - TerminalText.width(item)) }
            }
            rows.append(line)
        }
        return rows
    }
}

import ComfyCore

/// The figures of one run, printed twice from the same rows: an aligned table for
/// people, and (with `--json`) one JSON object on the last line for scripts and CI,
/// so the two can never disagree.
struct Report {
    enum Kind {
        /// Messages per second: whole numbers are precise enough.
        case rate
        /// One figure over another.
        case ratio
        /// Frames, errors and other counts.
        case count
        /// Times, in milliseconds.
        case milliseconds
        /// Short times, in microseconds.
        case microseconds
        /// Memory, in MiB.
        case megabytes
        /// Bytes of input per second, in MB/s.
        case megabytesPerSecond
        /// A share, in percent (the value is given as a fraction, 0.1 for 10 %).
        case percent
    }

    struct Row {
        let name: String
        /// nil when it could not be measured (printed `n/a`, written `null`).
        let value: Double?
        let kind: Kind
    }

    var rows: [Row] = []
    /// Context for the JSON object (machine, date, …), after the figures.
    var context: [JSONField] = []
    /// Lines printed under the table (why a figure is missing, the checksum).
    var notes: [String] = []

    mutating func add(_ name: String, _ value: Double?, _ kind: Kind) {
        rows.append(Row(name: name, value: value, kind: kind))
    }

    var table: String {
        let cells = rows.map { (name: $0.name, value: Self.text($0.value, $0.kind), unit: Self.unit($0.kind)) }
        let nameWidth = max(cells.map(\.name.count).max() ?? 0, "figure".count)
        let valueWidth = max(cells.map(\.value.count).max() ?? 0, "value".count)
        var lines = ["figure".padded(nameWidth) + "  " + "value".padded(valueWidth, left: true) + "  unit"]
        lines.append(String(repeating: "-", count: nameWidth + valueWidth + 10))
        for cell in cells {
            lines.append(cell.name.padded(nameWidth) + "  " + cell.value.padded(valueWidth, left: true) + "  " + cell.unit)
        }
        lines += notes
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        let figures = rows.map { row in
            JSONField(row.name, row.value.map { .number(Self.forJSON($0, row.kind)) } ?? .null)
        }
        return .object(figures + context)
    }

    /// Ratios keep three decimals; rates and counts are whole numbers.
    private static func forJSON(_ value: Double, _ kind: Kind) -> Double {
        switch kind {
        case .ratio: (value * 1000).rounded() / 1000
        case .rate, .count: value.rounded()
        case .milliseconds, .megabytes, .megabytesPerSecond: (value * 10).rounded() / 10
        case .microseconds: (value * 100).rounded() / 100
        case .percent: (value * 1000).rounded() / 10
        }
    }

    private static func unit(_ kind: Kind) -> String {
        switch kind {
        case .rate: "msgs/s"
        case .ratio: "x"
        case .count: ""
        case .milliseconds: "ms"
        case .microseconds: "µs"
        case .megabytes: "MiB"
        case .megabytesPerSecond: "MB/s"
        case .percent: "%"
        }
    }

    private static func text(_ value: Double?, _ kind: Kind) -> String {
        guard let value, value.isFinite else { return "n/a" }
        switch kind {
        case .rate, .count: return grouped(Int(value.rounded()))
        case .milliseconds, .megabytes, .megabytesPerSecond: return JSONWriter.number((value * 10).rounded() / 10)
        case .microseconds: return JSONWriter.number((value * 100).rounded() / 100)
        case .percent: return JSONWriter.number((value * 1000).rounded() / 10)
        case .ratio:
            let hundredths = Int((value * 100).rounded())
            let fraction = String(hundredths % 100)
            return "\(hundredths / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
        }
    }

    /// 1234567 → "1,234,567" (by hand: the same on every locale).
    private static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }
}

extension String {
    fileprivate func padded(_ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - count))
        return left ? pad + self : self + pad
    }
}

extension Report {
    /// Appends `other`'s figures, context (keys not already present) and notes.
    mutating func merge(_ other: Report) {
        rows += other.rows
        for field in other.context where !context.contains(where: { $0.key == field.key }) { context.append(field) }
        notes += other.notes
    }

    /// Figure names and kinds read back from a printed table (by its unit column), so a
    /// child process's figures keep their kind.
    static func kindsByName(_ table: String) -> [String: Kind] {
        var out: [String: Kind] = [:]
        for line in table.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            let unit = parts.count >= 3 ? String(parts[parts.count - 1]) : ""
            let kind: Kind? =
                switch unit {
                case "msgs/s": .rate
                case "x": .ratio
                case "ms": .milliseconds
                case "µs": .microseconds
                case "MiB": .megabytes
                case "MB/s": .megabytesPerSecond
                default: parts.count == 2 ? .count : nil
                }
            if let kind { out[String(parts[0])] = kind }
        }
        return out
    }
}

import Foundation

/// This process's resident memory, from `/proc/self/status` (Linux): what the memory
/// figures and the chaos tally report. `VmRSS` is now; `VmHWM` is the peak since the process started.
public enum ResidentMemory {
    /// Resident set size now, in MiB (nil where there is no /proc).
    public static var currentMB: Double? { field("VmRSS:") }
    /// The peak resident set size so far, in MiB.
    public static var peakMB: Double? { field("VmHWM:") }

    private static func field(_ name: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let digits = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            if let kb = digits.flatMap({ Double($0) }) { return kb / 1024 }
        }
        return nil
    }
}

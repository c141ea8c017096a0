import Foundation

/// Parses the ISO-8601 timestamps of chat exports (`2024-05-01T10:00:01Z`, `…:01.123456Z`, `…+02:00`) into
/// seconds since 1970 without a date formatter (creating formatters per message is slow on large exports).
public enum ISO8601Timestamp {
    /// Seconds since 1970, or nil when `text` is not `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`.
    public static func seconds(_ text: String) -> Double? {
        parse(Array(text.utf8))
    }

    /// `seconds` for an optional JSON value (nil unless it is a string).
    static func seconds(_ value: Any?) -> Double? {
        (value as? String).flatMap(seconds)
    }

    private static func parse(_ b: [UInt8]) -> Double? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                let d = Int(b[i]) - 48
                guard d >= 0, d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var numerator = 0, denominator = 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if denominator < 1_000_000_000 {
                    numerator = numerator * 10 + Int(b[i] - 48)
                    denominator *= 10
                }
                i += 1
            }
            guard i > start else { return nil }
            fraction = Double(numerator) / Double(denominator)
        }
        var zone = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let zh = digits(i + 1, 2) else { return nil }
            var next = i + 3
            if next < b.count, b[next] == UInt8(ascii: ":") { next += 1 }
            guard let zm = digits(next, 2) else { return nil }
            zone = sign * (zh * 3600 + zm * 60)
            i = next + 2
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - zone
        return Double(whole) + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one pass over a text's bytes tells about which PII rules could possibly match. Every flag is a
/// necessary condition of its rule's pattern, so skipping a rule whose condition is false never misses a match.
struct TextFeatures: Sendable {
    var hasAt = false
    var hasScheme = false
    var hasPrivateKeyMarker = false
    var hasKeyPrefix = false
    var hasBearer = false
    /// Two ASCII capitals followed by two digits (how every IBAN starts).
    var hasIBANStart = false
    /// The most digits in one run where digits are separated by at most two of ` .-()+/`.
    var longestSeparatedDigits = 0
    /// The most digit groups joined by single dots (4 for an IPv4 address).
    var longestDottedGroups = 0
    /// A 3-digit group, one of ` .-`, a 4-digit group (how every North-American style phone number ends).
    var hasPhoneTail = false
    /// `+` directly before a digit (international phone numbers).
    var hasPlusDigit = false
    /// Groups of 3, 2 and 4 digits joined by single hyphens (the SSN shape).
    var hasSSNShape = false

    static let keyPrefixes: [StaticString] = ["sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AKIA", "AIza", "xox", "glpat-", "hf_"]

    init(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var run = 0, separators = 0
            var groups = 0, inGroup = false, pendingDot = false
            var p3: UInt8 = 0, p2: UInt8 = 0, p1: UInt8 = 0
            var mayHaveKey = false
            // Chained digit groups: lengths and separators of the two groups before the current one.
            var current = 0, lastLength = 0, g1 = 0, g2 = 0
            var s1: UInt8 = 0, s2: UInt8 = 0, separator: UInt8 = 0
            var afterSingleSeparator = false
            func endGroup() {
                if current == 4, g1 == 3, s1 == 0x20 || s1 == 0x2E || s1 == 0x2D { hasPhoneTail = true }
                if current == 4, g1 == 2, g2 == 3, s1 == 0x2D, s2 == 0x2D { hasSSNShape = true }
                lastLength = current
                current = 0
            }
            for b in bytes {
                if b >= 0x30 && b <= 0x39 {
                    if current == 0 {
                        if afterSingleSeparator {
                            g2 = g1; s2 = s1; g1 = lastLength; s1 = separator
                        } else {
                            g1 = 0; g2 = 0
                        }
                    }
                    current += 1
                    afterSingleSeparator = false
                    if p1 == 0x2B { hasPlusDigit = true }
                    run += 1
                    separators = 0
                    if run > longestSeparatedDigits { longestSeparatedDigits = run }
                    if !inGroup {
                        groups = pendingDot ? groups + 1 : 1
                        inGroup = true
                        if groups > longestDottedGroups { longestDottedGroups = groups }
                    }
                    pendingDot = false
                    if p1 >= 0x30 && p1 <= 0x39 && p2 >= 0x41 && p2 <= 0x5A && p3 >= 0x41 && p3 <= 0x5A { hasIBANStart = true }
                } else {
                    if current > 0 {
                        endGroup()
                        separator = b
                        afterSingleSeparator = b == 0x20 || b == 0x2E || b == 0x2D
                    } else {
                        afterSingleSeparator = false
                    }
                    switch b {
                    case 0x20, 0x2E, 0x2D, 0x28, 0x29, 0x2B, 0x2F:
                        separators += 1
                        if separators > 2 { run = 0 }
                    default:
                        run = 0
                        separators = 0
                    }
                    if b == 0x2E && inGroup {
                        pendingDot = true
                    } else {
                        groups = 0
                        pendingDot = false
                    }
                    inGroup = false
                    switch b {
                    case 0x40: hasAt = true
                    case 0x2F: if p1 == 0x2F && p2 == 0x3A { hasScheme = true }
                    case 0x2D:
                        mayHaveKey = true
                        if p1 == 0x2D && p2 == 0x2D && p3 == 0x2D { hasPrivateKeyMarker = true }
                    case 0x5F: mayHaveKey = true
                    case 0x4B, 0x49: if p1 == 0x41 { mayHaveKey = true } // "AK" of AKIA, "AI" of AIza
                    default: break
                    }
                }
                p3 = p2; p2 = p1; p1 = b
            }
            if current > 0 { endGroup() }
            if mayHaveKey {
                for prefix in Self.keyPrefixes where TextScan.contains(bytes.baseAddress.map(UnsafeRawPointer.init), bytes.count, prefix.utf8Start, prefix.utf8CodeUnitCount) {
                    hasKeyPrefix = true
                    break
                }
            }
            let bearer: StaticString = "Bearer "
            hasBearer = TextScan.contains(bytes.baseAddress.map(UnsafeRawPointer.init), bytes.count, bearer.utf8Start, bearer.utf8CodeUnitCount)
        }
    }
}

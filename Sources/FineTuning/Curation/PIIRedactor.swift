import Foundation

/// Replaces personal data and secrets with typed placeholders. Numbers are checked, not just matched:
/// cards must pass Luhn, IBANs the mod-97 checksum, IPs need octets ≤ 255, SSNs valid area/group/serial,
/// so look-alikes (a 16-digit order number, a version string like 1.2.3.456, a date) stay as they are.
public struct PIIRedactor: Sendable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case privateKey = "PRIVATE_KEY", urlCredentials = "CREDENTIALS", apiKey = "API_KEY", email = "EMAIL"
        case iban = "IBAN", card = "CARD", ssn = "SSN", ip = "IP", phone = "PHONE"

        var placeholder: String { "[\(rawValue)]" }
    }

    /// What one call redacted, by kind (never the values themselves).
    public typealias Counts = [Kind: Int]

    struct Rule: @unchecked Sendable {
        let kind: Kind
        let regex: NSRegularExpression
        /// Checks a match (the whole matched text); nil accepts every match.
        let validate: (@Sendable (String) -> Bool)?
        /// A cheap test on the text's byte features: false means the rule cannot match, so its regular
        /// expression (slow on Linux) is skipped.
        let mayMatch: @Sendable (TextFeatures) -> Bool
    }

    let rules: [Rule]

    public init() {
        func rule(_ kind: Kind, _ pattern: String, _ validate: (@Sendable (String) -> Bool)? = nil,
                  when mayMatch: @escaping @Sendable (TextFeatures) -> Bool) -> Rule {
            Rule(kind: kind, regex: try! NSRegularExpression(pattern: pattern, options: []), validate: validate, mayMatch: mayMatch)
        }
        rules = [
            rule(.privateKey, #"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"#, when: { $0.hasPrivateKeyMarker }),
            rule(.urlCredentials, #"(?<=://)[^\s/:@]+:[^\s/@]+(?=@)"#, when: { $0.hasScheme && $0.hasAt }),
            rule(.apiKey, #"\b(?:sk-(?:proj-)?[A-Za-z0-9_-]{20,}|sk-ant-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,})"#, when: { $0.hasKeyPrefix }),
            rule(.apiKey, #"(?<=\bBearer )[A-Za-z0-9._~+/=-]{16,}"#, when: { $0.hasBearer }),
            rule(.email, #"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"#, when: { $0.hasAt }),
            rule(.iban, #"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"#, Self.validIBAN, when: { $0.hasIBANStart }),
            rule(.card, #"\b\d(?:[ -]?\d){12,18}\b"#, Self.luhn, when: { $0.longestSeparatedDigits >= 13 }),
            rule(.ssn, #"\b\d{3}-\d{2}-\d{4}\b"#, Self.validSSN, when: { $0.hasSSNShape }),
            rule(.ip, #"\b\d{1,3}(?:\.\d{1,3}){3}\b(?!\.\d)"#, Self.validIPv4, when: { $0.longestDottedGroups >= 4 }),
            rule(.phone, #"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|\+\d{1,3}[ .-]?\d{2,4}(?:[ .-]\d{2,4}){2,4}\b"#, when: { $0.hasPhoneTail || $0.hasPlusDigit }),
        ]
    }

    /// The text with every finding replaced, and the counts by kind.
    ///
    /// Private key blocks span lines and are matched on the whole text; no other pattern can cross a newline
    /// (and a newline is a word boundary), so the other rules run line by line and only on the lines whose byte
    /// pre-check allows a match: the regular expressions see a small part of a typical text.
    public func redact(_ text: String) -> (text: String, counts: Counts) {
        var counts: Counts = [:]
        let features = TextFeatures(text)
        var result = text
        for rule in rules where rule.kind == .privateKey && rule.mayMatch(features) { result = apply(rule, to: result, counts: &counts) }
        let lineRules = rules.filter { $0.kind != .privateKey }
        guard lineRules.contains(where: { $0.mayMatch(features) }) else { return (result, counts) }
        var lines = result.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var changed = false
        for i in lines.indices {
            let lineFeatures = TextFeatures(lines[i])
            for rule in lineRules where rule.mayMatch(lineFeatures) {
                let before = counts[rule.kind, default: 0]
                lines[i] = apply(rule, to: lines[i], counts: &counts)
                if counts[rule.kind, default: 0] != before { changed = true }
            }
        }
        return (changed ? lines.joined(separator: "\n") : result, counts)
    }

    /// One rule over one text.
    private func apply(_ rule: Rule, to text: String, counts: inout Counts) -> String {
        let ns = text as NSString
        var pieces: [String] = []
        var last = 0
        for match in rule.regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let found = ns.substring(with: match.range)
            if let validate = rule.validate, !validate(found) { continue }
            pieces.append(ns.substring(with: NSRange(location: last, length: match.range.location - last)))
            pieces.append(rule.kind.placeholder)
            last = match.range.location + match.range.length
            counts[rule.kind, default: 0] += 1
        }
        guard !pieces.isEmpty else { return text }
        pieces.append(ns.substring(from: last))
        return pieces.joined()
    }

    @Sendable static func luhn(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            let v = i % 2 == 1 ? d * 2 : d
            sum += v > 9 ? v - 9 : v
        }
        return sum % 10 == 0
    }

    @Sendable static func validIBAN(_ text: String) -> Bool {
        let compact = text.replacingOccurrences(of: " ", with: "")
        guard (15...34).contains(compact.count) else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for ch in rearranged {
            guard let v = ch.isNumber ? ch.wholeNumberValue : ch.isLetter && ch.isASCII ? Int(ch.asciiValue! - 55) : nil else { return false }
            for digit in String(v) { remainder = (remainder * 10 + digit.wholeNumberValue!) % 97 }
        }
        return remainder == 1
    }

    @Sendable static func validSSN(_ text: String) -> Bool {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return false }
        return parts[0] != 0 && parts[0] != 666 && parts[0] < 900 && parts[1] != 0 && parts[2] != 0
    }

    @Sendable static func validIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".")
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && (Int($0) ?? 256) <= 255 }
    }
}

import Foundation

/// Identifies the language of a text from its letters: the script narrows the candidates, then character 1- to
/// 5-grams score each candidate under its profile — the sum of the n-grams' log-probabilities, each n-gram backing
/// off to its longest known prefix, and a fixed penalty for one the language has never seen.
///
/// The profiles are Lingua's (75 languages, Apache-2.0; `groupqwen models fetch lingua-profiles`), compiled on first
/// use into a memory-mapped table next to them. Scripts that only one language uses (Kannada, Khmer, …) are
/// answered by the script alone. A sentence takes well under a millisecond.
public final class LanguageIdentifier: Sendable {
    /// The catalog id of the profiles.
    public static let profilesModelID = "lingua-profiles"
    /// The name of the compiled table inside the profile directory.
    static let compiledName = "langid-v1.table"
    /// Log-probability charged for an n-gram a language has never seen (not even a prefix of it).
    static let unseenLogProbability: Float = -15
    /// Texts this long (in letters) are scored with trigrams only; shorter ones with 1- to 5-grams.
    static let longTextLetters = 120
    /// Divides the score gaps before the softmax that turns them into confidences: n-grams are not independent, so
    /// the raw likelihood ratios are far too sure of themselves.
    static let confidenceTemperature: Double = 4

    let table: LanguageProfileTable

    /// Whether the profiles in `directory` are compiled (loading them then only maps a file).
    public static func isCompiled(profiles directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(compiledName).path)
    }

    /// The language codes the profiles cover.
    public var languages: [String] { table.languages }

    /// Loads the profiles in `directory`, compiling them first if they have not been (or changed since).
    /// `progress(done, total)` reports compilation, per language.
    public init(profiles directory: URL, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory.appendingPathComponent("en/unigrams.json.br").path) else {
            throw LanguageIDError.profilesMissing(path: directory.path)
        }
        let compiled = directory.appendingPathComponent(Self.compiledName)
        if let table = try? LanguageProfileTable(path: compiled.path) {
            self.table = table
            return
        }
        try LanguageProfileTable.compile(profiles: directory, to: compiled, progress: progress)
        table = try LanguageProfileTable(path: compiled.path)
    }

    /// The languages of several texts.
    public func detect(_ texts: [String], candidates: Int = 3) -> [LanguageDetection] {
        texts.map { detect($0, candidates: candidates) }
    }

    /// The language of `text` with up to `candidates` alternatives.
    public func detect(_ text: String, candidates limit: Int = 3) -> LanguageDetection {
        let words = LetterWords(text)
        guard let script = words.mainScript else { return .undetermined }
        let scriptName = words.isJapanese ? "Jpan" : script.rawValue
        func sure(_ code: String) -> LanguageDetection {
            LanguageDetection(language: code, confidence: 1, script: scriptName, candidates: [.init(language: code, confidence: 1)])
        }
        if words.isJapanese, table.languages.contains("ja") { return sure("ja") }
        if script == .han, table.languages.contains("zh") { return sure("zh") }
        let candidates = table.languages.indices.filter { table.scripts[$0].contains(script) }
        if candidates.isEmpty {
            guard let sole = script.soleLanguage else {
                return LanguageDetection(language: "und", confidence: 0, script: scriptName, candidates: [])
            }
            return sure(sole)
        }
        if candidates.count == 1 { return sure(table.languages[candidates[0]]) }

        let scores = score(words, candidates: candidates)
        let ranked = zip(candidates, scores).sorted { $0.1 > $1.1 }
        let best = Double(ranked[0].1)
        let weights = ranked.map { exp((Double($0.1) - best) / Self.confidenceTemperature) }
        let total = weights.reduce(0, +)
        let top = zip(ranked, weights).prefix(max(1, limit)).map {
            LanguageDetection.Candidate(language: table.languages[$0.0.0], confidence: $0.1 / total)
        }
        return LanguageDetection(language: top[0].language, confidence: top[0].confidence, script: scriptName, candidates: top)
    }

    /// The log-likelihood of the words under each candidate's profile.
    func score(_ words: LetterWords, candidates: [Int]) -> [Float] {
        let languageCount = table.languages.count
        var totals = [Float](repeating: 0, count: languageCount)
        var found = [Float](repeating: 0, count: languageCount)
        var stamp = [Int32](repeating: -1, count: languageCount)
        var seen = Set<UInt64>()
        var prefixes = [UInt64](repeating: 0, count: 5)
        var serial: Int32 = 0
        let orders = words.letterCount >= Self.longTextLetters ? 3...3 : 1...5
        for n in orders {
            seen.removeAll(keepingCapacity: true)
            for word in words.words where word.count >= n {
                for start in 0...(word.count - n) {
                    var hash = FNV1a()
                    for k in 0..<n {
                        hash.add(word[start + k])
                        prefixes[k] = hash.value
                    }
                    guard seen.insert(hash.value).inserted else { continue }
                    // Each language takes the log-probability of the longest prefix it knows.
                    serial += 1
                    for k in stride(from: n - 1, through: 0, by: -1) {
                        for entry in table.entries(hash: prefixes[k]) {
                            let language = Int(entry >> 8)
                            if stamp[language] != serial {
                                stamp[language] = serial
                                found[language] = -Float(entry & 0xFF) / LanguageProfileTable.quantScale
                            }
                        }
                    }
                    for language in candidates {
                        totals[language] += stamp[language] == serial ? found[language] : Self.unseenLogProbability
                    }
                }
            }
        }
        return candidates.map { totals[$0] }
    }
}

import Foundation

extension LanguageProfileTable {
    /// The n-gram files of one language in a profile directory, by n-gram length.
    static let profileFiles = [1: "unigrams", 2: "bigrams", 3: "trigrams", 4: "quadrigrams", 5: "fivegrams"]

    /// Compiles the profiles in `directory` — one sub-directory per language, named by its ISO code, holding
    /// `unigrams.json.br` … `fivegrams.json.br` (Lingua's relative frequencies: `{"ngrams": {"3/98": "abc abd", …}}`,
    /// Brotli-compressed) — into a table at `destination`, written to a temporary file and renamed into place.
    /// `progress(done, total)` is called after each language.
    static func compile(profiles directory: URL, to destination: URL, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        let codes = try fm.contentsOfDirectory(atPath: directory.path).filter { code in
            fm.fileExists(atPath: directory.appendingPathComponent(code).appendingPathComponent("unigrams.json.br").path)
        }.sorted()
        guard !codes.isEmpty, codes.count < 256 else {
            throw LanguageIDError.corruptProfile("no language profiles (…/<code>/unigrams.json.br) in \(directory.path)")
        }
        let brotli = try BrotliDecoder()
        // (hash, language << 8 | q), sorted later by hash.
        var items: [(hash: UInt64, entry: UInt16)] = []
        items.reserveCapacity(22_000_000)
        var scripts: [ScriptSet] = []
        for (index, code) in codes.enumerated() {
            var scriptSet = ScriptSet(rawValue: 0)
            for (length, name) in profileFiles.sorted(by: { $0.key < $1.key }) {
                let file = directory.appendingPathComponent(code).appendingPathComponent("\(name).json.br")
                guard let compressed = fm.contents(atPath: file.path) else { continue }
                let json = try brotli.decompress(compressed)
                guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
                      let ngrams = object["ngrams"] as? [String: String] else {
                    throw LanguageIDError.corruptProfile("\(code)/\(name).json.br is not a profile")
                }
                var shares: [Script: Double] = [:]
                for (fraction, list) in ngrams {
                    let parts = fraction.split(separator: "/")
                    guard parts.count == 2, let numerator = Double(parts[0]), let denominator = Double(parts[1]),
                          numerator > 0, denominator >= numerator else {
                        throw LanguageIDError.corruptProfile("\(code)/\(name).json.br has a bad frequency '\(fraction)'")
                    }
                    let probability = numerator / denominator
                    let q = UInt16(min(255, (-Float(log(probability)) * quantScale).rounded()))
                    for ngram in list.split(separator: " ") {
                        items.append((FNV1a.hash(ngram), UInt16(index) << 8 | q))
                        if length == 1, let script = ngram.unicodeScalars.first.flatMap(Script.of) {
                            shares[script, default: 0] += probability
                        }
                    }
                }
                // A language is written in the scripts that carry at least 5 % of its letters.
                for (script, share) in shares where share >= 0.05 { scriptSet.insert(script) }
            }
            scripts.append(scriptSet)
            progress(index + 1, codes.count)
        }
        items.sort { $0.hash < $1.hash }
        try write(items: items, languages: codes, scripts: scripts, to: destination)
    }

    private static func write(items: [(hash: UInt64, entry: UInt16)], languages: [String], scripts: [ScriptSet], to destination: URL) throws {
        let bucketBits = 21
        var bucketStarts = [UInt32](repeating: 0, count: (1 << bucketBits) + 1)
        var keys: [UInt32] = []
        var entryStarts: [UInt32] = []
        var entries: [UInt16] = []
        keys.reserveCapacity(items.count / 2)
        entries.reserveCapacity(items.count)
        var previous: UInt64?
        for item in items {
            if item.hash != previous {
                keys.append(UInt32(truncatingIfNeeded: item.hash))
                entryStarts.append(UInt32(entries.count))
                bucketStarts[Int(item.hash >> UInt64(64 - bucketBits)) + 1] += 1
                previous = item.hash
            }
            entries.append(item.entry)
        }
        entryStarts.append(UInt32(entries.count))
        for i in 1..<bucketStarts.count { bucketStarts[i] += bucketStarts[i - 1] }

        var data = Data(magic)
        for word in [version, UInt32(languages.count), UInt32(bucketBits), UInt32(keys.count), UInt32(entries.count), 0] {
            withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) }
        }
        for code in languages {
            var bytes = Array(code.utf8.prefix(8))
            bytes += [UInt8](repeating: 0, count: 8 - bytes.count)
            data.append(contentsOf: bytes)
        }
        for set in scripts { withUnsafeBytes(of: set.rawValue.littleEndian) { data.append(contentsOf: $0) } }
        for array in [bucketStarts, keys, entryStarts] { array.withUnsafeBytes { data.append(contentsOf: $0) } }
        entries.withUnsafeBytes { data.append(contentsOf: $0) }

        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, destination.path) == 0 else {
                throw LanguageIDError.corruptProfile("cannot rename into \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}

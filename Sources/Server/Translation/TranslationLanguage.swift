import Foundation

/// A language named in a request (`target_lang`, `source_lang`): an ISO 639-1 code (`fr`, `pt-BR`; the region is kept
/// in the name) or a language name (`French`, `Brazilian Portuguese`), given to the model by its English name.
struct TranslationLanguage: Sendable, Equatable {
    /// What the request said, trimmed (reported back as `detected_source_lang` when the source was given).
    let value: String
    /// The English name the prompt uses: `French`, `Portuguese (BR)`, or the name as given.
    let name: String

    /// ISO 639-1 codes and their English names.
    static let names: [String: String] = [
        "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian",
        "bn": "Bengali", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German",
        "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
        "fi": "Finnish", "fil": "Filipino", "fr": "French", "ga": "Irish", "gl": "Galician", "gu": "Gujarati", "he": "Hebrew",
        "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic",
        "it": "Italian", "ja": "Japanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean",
        "ky": "Kyrgyz", "la": "Latin", "lo": "Lao", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam",
        "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese", "nb": "Norwegian Bokmål",
        "ne": "Nepali", "nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "pa": "Punjabi", "pl": "Polish",
        "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "si": "Sinhala", "sk": "Slovak",
        "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu",
        "tg": "Tajik", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
        "vi": "Vietnamese", "yue": "Cantonese", "zh": "Chinese", "zu": "Zulu",
    ]

    /// Chinese scripts named by their ISO 15924 subtags.
    private static let scripts = ["hans": "Simplified Chinese", "hant": "Traditional Chinese"]

    /// The language `text` names, or nil when it is neither a known code (with an optional region or script subtag) nor
    /// a plausible name (letters, spaces, hyphens, apostrophes and parentheses, at most 40 characters).
    init?(_ text: String) {
        let value = text.trimmingCharacters(in: .whitespaces)
        let parts = value.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        if let code = parts.first, let base = Self.names[code], parts.count <= 2 {
            self.value = value
            if parts.count == 2 {
                let subtag = parts[1]
                if code == "zh", let script = Self.scripts[subtag] { name = script } else { name = "\(base) (\(subtag.uppercased()))" }
            } else {
                name = base
            }
            return
        }
        guard !value.isEmpty, value.count <= 40, value.first!.isLetter,
              value.allSatisfy({ $0.isLetter || " -'()".contains($0) }) else { return nil }
        self.value = value
        name = value
    }

    /// The name for an ISO code a language detector returned (the code itself when unknown).
    static func named(code: String) -> TranslationLanguage {
        TranslationLanguage(code) ?? TranslationLanguage(value: code, name: code)
    }

    private init(value: String, name: String) {
        self.value = value
        self.name = name
    }
}

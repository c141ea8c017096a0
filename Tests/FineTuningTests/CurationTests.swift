import FineTuning
import Foundation
import Testing

@Suite("PII redaction and curation")
struct CurationTests {
    let redactor = PIIRedactor()

    func redacted(_ text: String) -> String { redactor.redact(text).text }

    @Test func everyPlaceholderCatchesItsPositives() {
        #expect(redacted("mail me at jane.doe+x@example.co.uk today") == "mail me at [EMAIL] today")
        #expect(redacted("call +1 415-555-0132 or (212) 555-0188") == "call [PHONE] or [PHONE]")
        #expect(redacted("card 4111 1111 1111 1111 exp") == "card [CARD] exp")
        #expect(redacted("IBAN DE89 3704 0044 0532 0130 00 please") == "IBAN [IBAN] please")
        #expect(redacted("IBAN GB82WEST12345698765432") == "IBAN [IBAN]")
        #expect(redacted("server 192.168.1.20 is down") == "server [IP] is down")
        #expect(redacted("SSN 123-45-6789") == "SSN [SSN]")
        #expect(redacted("key sk-proj-abcdefghijklmnopqrstuvwxyz123456") == "key [API_KEY]")
        #expect(redacted("token ghp_abcdefghijklmnopqrstuvwxyz0123456789") == "token [API_KEY]")
        #expect(redacted("aws AKIAIOSFODNN7EXAMPLE") == "aws [API_KEY]")
        #expect(redacted("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def") == "Authorization: Bearer [API_KEY]")
        #expect(redacted("db postgres://admin:hunter2@db.internal:5432/x") == "db postgres://[CREDENTIALS]@db.internal:5432/x")
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----"
        #expect(redacted("here: \(key) done") == "here: [PRIVATE_KEY] done")
    }

    @Test func lookAlikesAreLeftAlone() {
        for text in [
            "order number 4111 1111 1111 1112 shipped",     // 16 digits failing Luhn
            "upgrade to version 1.2.3.456 now",               // 4th octet > 255
            "released 2024-01-15 and 15/01/2024 at 10:30",   // dates and times
            "SSN-like 000-12-3456 and 666-12-3456",          // invalid areas
            "IBAN-like DE00 3704 0044 0532 0130 00",          // bad checksum
            "the year 2023 had 365 days",
        ] {
            #expect(redacted(text) == text, "\(text) → \(redacted(text))")
        }
    }

    @Test func countsNeverCarryValues() {
        let (_, counts) = redactor.redact("a@b.io and c@d.io, 10.0.0.1")
        #expect(counts == [.email: 2, .ip: 1])
    }

    static func conversation(_ pairs: [(Conversation.Turn.Role, String)]) -> Conversation {
        Conversation(id: UUID().uuidString, source: "test", turns: pairs.map { Conversation.Turn(role: $0.0, text: $0.1) })
    }

    @Test func curatorDropsBadAndDuplicateConversationsAndRedacts() {
        let good = Self.conversation([(.user, "How do I reach support?"), (.assistant, "Write to help@example.com any time.")])
        let input = [
            good,
            good,
            Self.conversation([(.user, "Tell me a secret please"), (.assistant, "No.")]),
            Self.conversation([(.user, "Write malware for me now"), (.assistant, "I'm sorry, but I can't help with that request.")]),
            Self.conversation([(.assistant, "Hello, how can I help you today?"), (.user, "Bye then, thanks a lot")]),
            Self.conversation([(.user, "Shout the rules at me"), (.assistant, "NEVER EVER RUN WITH SCISSORS IN THE HALLWAY")]),
        ]
        let (kept, report) = Curator().curate(input)
        #expect(kept.count == 1)
        #expect(kept[0].turns[1].text == "Write to [EMAIL] any time.")
        #expect(report.input == 6 && report.kept == 1)
        #expect(report.removed == ["exact_duplicate": 1, "empty_or_one_word_answer": 1, "refusal": 1, "broken_turn_order": 1, "all_caps": 1])
        #expect(report.redactions == ["EMAIL": 1])
    }
}

/// Objects, keys and arrays: the transitions of ``JSONMatcher`` that open and close containers.
extension JSONSchemaGrammar {
    func stepObject(_ thread: Thread, node: Int32, phase: JSONMatcher.ObjectPhase, seen: UInt64, member: Int32, _ byte: UInt8,
                    emit: (Thread) -> Void) {
        var t = thread
        switch whitespace(&t, byte) {
        case .skipped: return emit(t)
        case .tooMuch: return
        case .none: break
        }
        guard case let .object(properties, required, additional) = nodes[Int(node)] else { return }
        let top = t.stack.count - 1
        switch (phase, byte) {
        case (.open, UInt8(ascii: "\"")), (.afterComma, UInt8(ascii: "\"")):
            t.stack.append(.key(node: node, seen: seen, bytes: [], lexer: JSONMatcher.StringLexer()))
            emit(t)
        case (.open, UInt8(ascii: "}")), (.afterValue, UInt8(ascii: "}")):
            guard Self.satisfies(required, properties: properties, seen: seen) else { return }
            t.stack.removeLast()
            emit(t)
        case (.afterKey, UInt8(ascii: ":")):
            let valueNode = member >= 0 ? properties[Int(member)].node : additional
            guard let valueNode else { return }
            t.stack[top] = .object(node: node, phase: .afterValue, seen: seen, member: member)
            t.stack.append(.value(node: Int32(valueNode)))
            emit(t)
        case (.afterValue, UInt8(ascii: ",")):
            // Another member must be possible: an unseen property, or any additional one.
            let unseen = properties.indices.contains { seen & (1 << UInt64($0)) == 0 }
            guard unseen || additional != nil else { return }
            t.stack[top] = .object(node: node, phase: .afterComma, seen: seen, member: -1)
            emit(t)
        default:
            return
        }
    }

    /// Whether every required property is among the seen ones.
    static func satisfies(_ required: [String], properties: [Property], seen: UInt64) -> Bool {
        required.allSatisfy { name in
            guard let i = properties.firstIndex(where: { $0.name == name }) else { return false }
            return seen & (1 << UInt64(i)) != 0
        }
    }

    func stepKey(_ thread: Thread, node: Int32, seen: UInt64, bytes: [UInt8], lexer: JSONMatcher.StringLexer, _ byte: UInt8,
                 emit: (Thread) -> Void) {
        guard case let .object(properties, _, additional) = nodes[Int(node)] else { return }
        var t = thread, lexer = lexer
        switch lexer.read(byte) {
        case .invalid:
            return
        case .close:
            t.stack.removeLast()
            var member: Int32 = -1, seen = seen
            if let i = properties.firstIndex(where: { $0.key == bytes }) {
                guard seen & (1 << UInt64(i)) == 0 else { return }   // a duplicate key
                member = Int32(i)
                seen |= 1 << UInt64(i)
            } else if additional == nil {
                return
            }
            t.stack[t.stack.count - 1] = .object(node: node, phase: .afterKey, seen: seen, member: member)
            emit(t)
        case .character, .pending:
            let extended = bytes + [byte]
            if additional == nil {
                // Without additional properties the key must stay a prefix of an unseen declared one.
                let possible = properties.indices.contains { i in
                    seen & (1 << UInt64(i)) == 0 && properties[i].key.count >= extended.count
                        && properties[i].key.starts(with: extended)
                }
                guard possible else { return }
            }
            t.stack[t.stack.count - 1] = .key(node: node, seen: seen, bytes: extended, lexer: lexer)
            emit(t)
        }
    }

    func stepArray(_ thread: Thread, node: Int32, phase: JSONMatcher.ArrayPhase, count: Int32, _ byte: UInt8,
                   emit: (Thread) -> Void) {
        var t = thread
        switch whitespace(&t, byte) {
        case .skipped: return emit(t)
        case .tooMuch: return
        case .none: break
        }
        guard case let .array(items, minItems, maxItems) = nodes[Int(node)] else { return }
        let top = t.stack.count - 1
        switch (phase, byte) {
        case (.open, UInt8(ascii: "]")), (.afterValue, UInt8(ascii: "]")):
            guard count >= minItems else { return }
            t.stack.removeLast()
            emit(t)
        case (.afterValue, UInt8(ascii: ",")):
            if let maxItems, count >= maxItems { return }
            t.stack[top] = .array(node: node, phase: .afterComma, count: count)
            emit(t)
        case (.open, _), (.afterComma, _):
            // The first byte of an element: open it and let it read the byte.
            if let maxItems, count >= maxItems { return }
            t.stack[top] = .array(node: node, phase: .afterValue, count: count + 1)
            t.stack.append(.value(node: Int32(items)))
            step(t, byte, emit: emit)
        default:
            return
        }
    }
}

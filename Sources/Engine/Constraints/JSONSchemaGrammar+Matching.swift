/// The transitions of ``JSONMatcher``: how one byte moves one thread.
extension JSONSchemaGrammar {
    typealias Thread = JSONMatcher.Thread
    typealias Frame = JSONMatcher.Frame

    /// Emits every thread `thread` can become after `byte` (none: the byte is not allowed there).
    func step(_ thread: Thread, _ byte: UInt8, emit: (Thread) -> Void) {
        var t = thread
        guard let top = t.stack.last else {
            // The document is complete: only trailing whitespace.
            if whitespace(&t, byte) == .skipped { emit(t) }
            return
        }
        switch top {
        case let .value(node):
            switch whitespace(&t, byte) {
            case .skipped: emit(t)
            case .tooMuch: return
            case .none:
                t.stack.removeLast()
                start(node, t, byte, depth: 0, emit: emit)
            }
        case let .object(node, phase, seen, member):
            stepObject(t, node: node, phase: phase, seen: seen, member: member, byte, emit: emit)
        case let .key(node, seen, bytes, lexer):
            stepKey(t, node: node, seen: seen, bytes: bytes, lexer: lexer, byte, emit: emit)
        case let .array(node, phase, count):
            stepArray(t, node: node, phase: phase, count: count, byte, emit: emit)
        case let .string(node, lexer):
            var lexer = lexer
            guard case let .string(minLength, maxLength) = nodes[Int(node)] else { return }
            switch lexer.read(byte) {
            case .invalid: return
            case .close:
                guard lexer.characters >= minLength else { return }
                t.stack.removeLast()
            case .character:
                if let maxLength, lexer.characters > maxLength { return }
                t.stack[t.stack.count - 1] = .string(node: node, lexer: lexer)
            case .pending:
                t.stack[t.stack.count - 1] = .string(node: node, lexer: lexer)
            }
            emit(t)
        case let .formatted(node, state):
            guard case let .formatted(format) = nodes[Int(node)] else { return }
            if byte == UInt8(ascii: "\"") {
                guard format.accepts(state) else { return }
                t.stack.removeLast()
            } else {
                let next = format.next(state, byte)
                guard next >= 0 else { return }
                t.stack[t.stack.count - 1] = .formatted(node: node, state: next)
            }
            emit(t)
        case let .number(node, text):
            guard case let .number(bounds) = nodes[Int(node)] else { return }
            let extended = text + [byte]
            if JSONNumberText.isPrefix(extended, integer: bounds.integer), JSONNumberText.feasible(extended, bounds) {
                t.stack[t.stack.count - 1] = .number(node: node, text: extended)
                emit(t)
            }
            // The number may also have ended before this byte, which then belongs to the enclosing value.
            if let value = JSONNumberText.value(text, integer: bounds.integer), bounds.contains(value) {
                var popped = thread
                popped.stack.removeLast()
                popped.whitespace = 0
                step(popped, byte, emit: emit)
            }
        case let .literal(node, alive, position):
            guard case let .literals(texts) = nodes[Int(node)] else { return }
            let p = Int(position)
            let next = alive.filter { texts[Int($0)].count > p && texts[Int($0)][p] == byte }
            if !next.isEmpty {
                t.stack[t.stack.count - 1] = .literal(node: node, alive: next, position: position + 1)
                emit(t)
            }
            if alive.contains(where: { texts[Int($0)].count == p }) {
                var popped = thread
                popped.stack.removeLast()
                popped.whitespace = 0
                step(popped, byte, emit: emit)
            }
        }
    }

    /// Whether `thread` holds a complete document.
    func canFinish(_ thread: Thread) -> Bool {
        switch thread.stack.count {
        case 0: return true
        case 1: return canEnd(thread.stack[0])
        default: return false
        }
    }

    /// Whether a frame may end without another byte (a finished number or literal).
    private func canEnd(_ frame: Frame) -> Bool {
        switch frame {
        case let .number(node, text):
            guard case let .number(bounds) = nodes[Int(node)], let value = JSONNumberText.value(text, integer: bounds.integer) else { return false }
            return bounds.contains(value)
        case let .literal(node, alive, position):
            guard case let .literals(texts) = nodes[Int(node)] else { return false }
            return alive.contains { texts[Int($0)].count == Int(position) }
        default:
            return false
        }
    }

    enum Whitespace { case skipped, tooMuch, none }

    /// Reads a whitespace byte between tokens: `skipped` when the run may hold it (one space, or one newline then
    /// up to `maxIndent` spaces or tabs), `tooMuch` when not; `none` (not whitespace) resets the run.
    func whitespace(_ t: inout Thread, _ byte: UInt8) -> Whitespace {
        guard JSONMatcher.isWhitespace(byte) else {
            t.whitespace = 0
            return .none
        }
        switch (t.whitespace, byte) {
        case (0, UInt8(ascii: " ")): t.whitespace = 1
        case (0, UInt8(ascii: "\n")): t.whitespace = 2
        case (2..., UInt8(ascii: " ")), (2..., UInt8(ascii: "\t")):
            guard Int(t.whitespace) - 2 < JSONMatcher.maxIndent else { return .tooMuch }
            t.whitespace += 1
        default: return .tooMuch
        }
        return .skipped
    }

    /// Starts a value of `node` with its first byte (no whitespace).
    private func start(_ node: Int32, _ t: Thread, _ byte: UInt8, depth: Int, emit: (Thread) -> Void) {
        guard depth < 32 else { return }
        var t = t
        switch nodes[Int(node)] {
        case .any:
            switch byte {
            case UInt8(ascii: "{"): start(anyObjectNode, t, byte, depth: depth + 1, emit: emit)
            case UInt8(ascii: "["): start(anyArrayNode, t, byte, depth: depth + 1, emit: emit)
            case UInt8(ascii: "\""): start(anyStringNode, t, byte, depth: depth + 1, emit: emit)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): start(booleanNode, t, byte, depth: depth + 1, emit: emit)
            case UInt8(ascii: "n"): start(nullNode, t, byte, depth: depth + 1, emit: emit)
            default: start(anyNumberNode, t, byte, depth: depth + 1, emit: emit)
            }
        case .object:
            guard byte == UInt8(ascii: "{") else { return }
            t.stack.append(.object(node: node, phase: .open, seen: 0, member: -1))
            emit(t)
        case .array:
            guard byte == UInt8(ascii: "[") else { return }
            t.stack.append(.array(node: node, phase: .open, count: 0))
            emit(t)
        case .string:
            guard byte == UInt8(ascii: "\"") else { return }
            t.stack.append(.string(node: node, lexer: JSONMatcher.StringLexer()))
            emit(t)
        case .formatted:
            guard byte == UInt8(ascii: "\"") else { return }
            t.stack.append(.formatted(node: node, state: 0))
            emit(t)
        case let .number(bounds):
            let text = [byte]
            guard JSONNumberText.isPrefix(text, integer: bounds.integer), JSONNumberText.feasible(text, bounds) else { return }
            t.stack.append(.number(node: node, text: text))
            emit(t)
        case .boolean:
            start(booleanNode, t, byte, depth: depth + 1, emit: emit)
        case .null:
            start(nullNode, t, byte, depth: depth + 1, emit: emit)
        case let .literals(texts):
            let alive = texts.indices.filter { texts[$0].first == byte }.map(Int32.init)
            guard !alive.isEmpty else { return }
            t.stack.append(.literal(node: node, alive: alive, position: 1))
            emit(t)
        case let .anyOf(alternatives):
            for alternative in alternatives { start(Int32(alternative), t, byte, depth: depth + 1, emit: emit) }
        case .never:
            return
        }
    }
}

import Foundation

/// Executes a parsed template against a context, enforcing `ChatTemplateLimits`.
final class TemplateEvaluator {
    enum Flow { case normal, breakLoop, continueLoop }

    let limits: ChatTemplateLimits
    let now: Date
    var scopes: [[String: TemplateValue]]
    var macros: [String: TemplateMacro] = [:]
    var buffers: [String] = [""]
    var steps = 0
    var writtenBytes = 0
    var builtBytes = 0
    var callDepth = 0

    init(context: [String: TemplateValue], limits: ChatTemplateLimits, now: Date = Date()) {
        scopes = [context]
        self.limits = limits
        self.now = now
    }

    /// Renders the nodes and returns the output.
    func render(_ nodes: [TemplateNode]) throws(ChatTemplateError) -> String {
        _ = try execute(nodes)
        return buffers[0]
    }

    // MARK: Bookkeeping

    func step(_ count: Int = 1) throws(ChatTemplateError) {
        steps += count
        if steps > limits.maxSteps { throw .limitExceeded("more than \(limits.maxSteps) evaluation steps") }
    }

    /// Charges an operation's work: one step per 256 bytes of the strings (and per 16 list items) it reads, and the
    /// size of what it builds against `maxBuiltBytes`. Every operation on values is linear in their size (string
    /// search included, see `TemplateEvaluator.occurrences`) and no value exceeds `maxOutputBytes`, so with these
    /// charges the steps bound the time and the built bytes the memory a template can use.
    func charge(reading inputs: [TemplateValue], building result: TemplateValue? = nil) throws(ChatTemplateError) {
        var read = 0
        for v in inputs { read += v.approximateSize }
        if read >= 256 { try step(read >> 8) }
        if let result { try build(result.approximateSize) }
    }

    /// Adds `bytes` to the bytes built so far.
    func build(_ bytes: Int) throws(ChatTemplateError) {
        builtBytes += bytes
        if builtBytes > limits.maxBuiltBytes {
            throw .limitExceeded("more than \(limits.maxBuiltBytes) bytes of strings and lists built")
        }
    }

    func emit(_ text: String) throws(ChatTemplateError) {
        writtenBytes += text.utf8.count
        if writtenBytes > limits.maxOutputBytes { throw .limitExceeded("output larger than \(limits.maxOutputBytes) bytes") }
        buffers[buffers.count - 1] += text
    }

    func lookup(_ name: String) -> TemplateValue? {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return nil
    }

    func assign(_ name: String, _ value: TemplateValue) {
        scopes[scopes.count - 1][name] = value
    }

    // MARK: Statements

    func execute(_ nodes: [TemplateNode]) throws(ChatTemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: TemplateNode) throws(ChatTemplateError) -> Flow {
        try step()
        switch node {
        case let .text(t):
            try emit(t)
        case let .output(e):
            try emit(try evaluate(e).stringified(limit: limits.maxOutputBytes))
        case let .conditional(branches, otherwise):
            for (condition, body) in branches {
                if try evaluate(condition).isTruthy { return try execute(body) }
            }
            return try execute(otherwise)
        case let .loop(loop):
            try runLoop(loop)
        case let .assign(names, attribute, expression):
            let value = try evaluate(expression)
            if let attribute {
                guard case let .namespace(ns) = lookup(names[0]) else {
                    throw .type("cannot assign attribute '\(attribute)' on '\(names[0])': not a namespace")
                }
                ns.attributes[attribute] = value
            } else if names.count == 1 {
                assign(names[0], value)
            } else {
                let items = try iterate(value)
                guard items.count == names.count else {
                    throw .type("cannot unpack \(items.count) values into \(names.count) names")
                }
                for (n, v) in zip(names, items) { assign(n, v) }
            }
        case let .assignBlock(name, body):
            assign(name, .string(try capture(body)))
        case let .macro(m):
            macros[m.name] = m
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case let .group(body):
            return try execute(body)
        }
        return .normal
    }

    /// Renders nodes into a separate buffer and returns the text.
    func capture(_ nodes: [TemplateNode]) throws(ChatTemplateError) -> String {
        buffers.append("")
        defer { buffers.removeLast() }
        _ = try execute(nodes)
        return buffers[buffers.count - 1]
    }

    private func runLoop(_ loop: TemplateLoop) throws(ChatTemplateError) {
        var items = try iterate(try evaluate(loop.iterable))
        scopes.append([:])
        defer { scopes.removeLast() }
        if let filter = loop.filter {
            var kept: [TemplateValue] = []
            for item in items {
                try step()
                try bind(loop.targets, to: item)
                if try evaluate(filter).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try execute(loop.otherwise)
            return
        }
        let length = items.count
        for (i, item) in items.enumerated() {
            try step()
            try bind(loop.targets, to: item)
            var info = TemplateDictionary()
            info["index"] = .int(i + 1)
            info["index0"] = .int(i)
            info["revindex"] = .int(length - i)
            info["revindex0"] = .int(length - i - 1)
            info["first"] = .bool(i == 0)
            info["last"] = .bool(i == length - 1)
            info["length"] = .int(length)
            info["depth"] = .int(1)
            info["depth0"] = .int(0)
            info["previtem"] = i > 0 ? items[i - 1] : .undefined
            info["nextitem"] = i + 1 < length ? items[i + 1] : .undefined
            assign("loop", .dictionary(info))
            if try execute(loop.body) == .breakLoop { break }
        }
    }

    private func bind(_ targets: [String], to item: TemplateValue) throws(ChatTemplateError) {
        if targets.count == 1 {
            assign(targets[0], item)
            return
        }
        let parts = try iterate(item)
        guard parts.count == targets.count else {
            throw .type("cannot unpack \(parts.count) values into \(targets.count) loop variables")
        }
        for (n, v) in zip(targets, parts) { assign(n, v) }
    }

    /// The elements a `for` loop visits: list items, dictionary keys, string characters; undefined and
    /// none are empty.
    func iterate(_ value: TemplateValue) throws(ChatTemplateError) -> [TemplateValue] {
        switch value {
        case let .array(items): return items
        case let .dictionary(d): return d.keys.map { .string($0) }
        case let .namespace(ns): return ns.attributes.keys.map { .string($0) }
        case let .string(s):
            // One value per character: charged before they are made.
            try step(s.utf8.count >> 4)
            try build(s.utf8.count * MemoryLayout<TemplateValue>.stride)
            return s.map { .string(String($0)) }
        case .undefined, .none: return []
        default: throw .type("'\(value.typeName)' object is not iterable")
        }
    }

    // MARK: Macros

    func callMacro(_ m: TemplateMacro, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)]) throws(ChatTemplateError) -> TemplateValue {
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > limits.maxCallDepth { throw .limitExceeded("macro calls nested deeper than \(limits.maxCallDepth)") }
        guard args.count <= m.parameters.count else { throw .type("macro '\(m.name)' takes \(m.parameters.count) arguments") }
        var frame: [String: TemplateValue] = [:]
        for (i, (name, defaultValue)) in m.parameters.enumerated() {
            if i < args.count {
                frame[name] = args[i]
            } else if let kw = kwargs.first(where: { $0.0 == name }) {
                frame[name] = kw.1
            } else if let defaultValue {
                frame[name] = try evaluate(defaultValue)
            } else {
                frame[name] = .undefined
            }
        }
        scopes.append(frame)
        defer { scopes.removeLast() }
        return .string(try capture(m.body))
    }
}

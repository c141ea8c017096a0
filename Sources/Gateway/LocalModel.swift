import Engine
import Foundation
import Tokenizers

/// A model loaded into memory and served by its own continuous-batching scheduler.
public final class LocalModel: Sendable {
    public let served: ServedModel
    public let path: String
    public let model: LanguageModel
    public let scheduler: BatchScheduler
    /// The GGUF's own `tokenizer.chat_template`, or `nil` when it has none (ChatML is used).
    public let chatTemplate: ChatTemplate?
    /// Stop strings every chat completion adds: `<|im_end|>` when prompts are rendered with the ChatML
    /// fallback (no chat template) and the vocabulary has no single `<|im_end|>` token (Gemma 3 270M), so
    /// the marker is written as plain text and no end-of-generation token would stop a model (say, one
    /// fine-tuned on ChatML) that closes its turn with it. Empty otherwise.
    public let chatStopStrings: [String]
    /// Most tokens (prompt + completion) one request may hold.
    public let contextLength: Int
    /// The speculative draft model (`ServedModel.draft`), loaded with this model and used by its scheduler only.
    public let draft: LanguageModel?
    /// Bytes this model counts against the pool's budget: file size, one full-context KV cache and the prefix cache's
    /// budget, plus the draft's file and cache.
    public let estimatedBytes: Int64
    public let loadedAt: Date

    public var id: String { served.id }
    public var tokenizer: Tokenizer { model.tokenizer }

    init(served: ServedModel, path: String, threads: Int?, maxQueued: Int, prefillTokensPerStep: Int, prefixCacheBytes: Int = 0,
         draftPath: String? = nil) throws {
        self.served = served
        self.path = path
        let model = try ModelLoader.load(path: path, options: ModelLoadOptions(threads: threads))
        self.model = model
        let c = model.configuration
        let trained = c.trainedContextLength > 0 ? c.trainedContextLength : 4096
        self.contextLength = max(16, served.contextLength ?? min(trained, 4096))
        self.chatTemplate = try model.file.string("tokenizer.chat_template").map { try ChatTemplate(source: $0) }
        self.chatStopStrings = Self.chatStopStrings(template: chatTemplate, tokenizer: model.tokenizer)
        let draft = try draftPath.map { try ModelLoader.load(path: $0, options: ModelLoadOptions(threads: threads)) }
        self.draft = draft
        let context = self.contextLength
        var bytes = Self.bytes(file: path, configuration: c, contextLength: context) + Int64(prefixCacheBytes)
        if let draft, let draftPath { bytes += Self.bytes(file: draftPath, configuration: draft.configuration, contextLength: context) }
        self.estimatedBytes = bytes
        let schedule = SchedulerConfiguration(
            maxActiveSequences: served.maxConcurrent, maxQueuedRequests: served.maxQueued ?? maxQueued,
            prefillTokensPerStep: prefillTokensPerStep, contextLength: context, prefixCacheBytes: prefixCacheBytes,
            draftTokens: served.draftTokens ?? SpeculativeGenerator.draftTokenLimit)
        self.scheduler = try draft.map { try BatchScheduler(model: model, configuration: schedule, draft: $0) }
            ?? BatchScheduler(model: model, configuration: schedule)
        self.loadedAt = Date()
    }

    /// Loads the GGUF file at `path` as a model served under `id`, outside any pool (tools that generate as the
    /// server would: the same chat template, stop strings and scheduler), with `maxConcurrent` sequences per batch.
    public static func load(path: String, id: String, threads: Int? = nil, maxConcurrent: Int = 8) throws -> LocalModel {
        try LocalModel(served: ServedModel(id: id, source: path, maxConcurrent: maxConcurrent), path: path, threads: threads,
                       maxQueued: 4_096, prefillTokensPerStep: 512)
    }

    /// A model file's size plus one full-context KV cache.
    private static func bytes(file: String, configuration c: ModelConfiguration, contextLength: Int) -> Int64 {
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0
        return fileBytes + Int64(c.layerCount * (c.kvHeadCount * c.headDim + c.kvHeadCount * c.valueHeadDim) * 4 * contextLength)
    }

    /// See `chatStopStrings`.
    static func chatStopStrings(template: ChatTemplate?, tokenizer: Tokenizer) -> [String] {
        let end = "<|im_end|>"
        guard template == nil, tokenizer.encode(end, parseSpecial: true).count != 1 else { return [] }
        return [end]
    }

    /// Renders `messages` with the model's own chat template (ChatML when it has none) and
    /// tokenizes the result, parsing special tokens. Throws `ChatTemplateError` when the template
    /// rejects the conversation (e.g. `raise_exception` on an unsupported role order).
    public func chatPromptIDs(messages: [ChatMessage], extra: [String: TemplateValue] = [:]) throws -> [Int32] {
        try tokenizeChat(renderChat(messages: messages, extra: extra))
    }

    /// The rendered chat prompt text (what `chatPromptIDs` tokenizes).
    public func renderChat(messages: [ChatMessage], extra: [String: TemplateValue] = [:]) throws -> String {
        guard let template = chatTemplate else { return ChatTemplate.chatML(messages: messages, addGenerationPrompt: true) }
        let bos = tokenizer.bosID.map { tokenizer.tokenText($0) } ?? ""
        let eos = tokenizer.eosID.map { tokenizer.tokenText($0) } ?? ""
        return try template.render(messages: messages, addGenerationPrompt: true, bosToken: bos, eosToken: eos, extra: extra)
    }

    /// Tokenizes a rendered chat prompt (special tokens parsed, BOS added once when the model wants it).
    public func tokenizeChat(_ rendered: String) -> [Int32] {
        var ids = tokenizer.encode(rendered, parseSpecial: true)
        if tokenizer.addBOS, let bos = tokenizer.bosID, ids.first != bos { ids.insert(bos, at: 0) }
        return ids
    }

    /// Tokenizes a raw completion prompt (special tokens are plain text; BOS when the model wants it).
    public func promptIDs(text: String) -> [Int32] {
        var ids = tokenizer.encode(text, parseSpecial: false)
        if tokenizer.addBOS, let bos = tokenizer.bosID { ids.insert(bos, at: 0) }
        return ids
    }

    /// Queues a generation on this model's scheduler. See `BatchScheduler.submit`.
    public func generate(promptIDs: [Int32], options: GenerationOptions) throws(EngineError) -> AsyncThrowingStream<GenerationEvent, Error> {
        try scheduler.submit(promptIDs: promptIDs, options: options)
    }

    /// The tokens as bytes in a trie, for constrained decoding; built on first use (a few hundred ms for 150k tokens).
    public var tokenVocabulary: TokenVocabulary { vocabulary.value(tokenizer) }
    private let vocabulary = LazyVocabulary()

    /// Whether any request is running or waiting.
    public var isBusy: Bool {
        let load = scheduler.load
        return load.active + load.queued > 0
    }
}

/// Builds a model's ``TokenVocabulary`` once, on first use, whichever thread asks first.
final class LazyVocabulary: @unchecked Sendable {
    private let lock = NSLock()
    private var built: TokenVocabulary?

    func value(_ tokenizer: Tokenizer) -> TokenVocabulary {
        lock.withLock {
            if let built { return built }
            let vocabulary = TokenVocabulary(tokenizer: tokenizer)
            built = vocabulary
            return vocabulary
        }
    }
}

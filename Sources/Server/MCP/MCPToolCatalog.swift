import MCP

/// The tools the MCP server offers, with their JSON Schemas (what `tools/list` answers).
enum MCPToolCatalog {
    static let tools: [Tool] = [chat, embed, memoryStore, memorySearch, memoryDelete, listModels, cacheStats]

    static let tagsSchema: Value = ["type": "array", "items": ["type": "string"]]

    static let chat = Tool(
        name: "chat",
        description: """
            Ask GroupQwen's local language models. Give `prompt` (one user message) or `messages` (an OpenAI-style \
            conversation). `model` defaults to "auto": the router picks the model (and may escalate to a larger one). \
            Returns the answer and which model answered, its tier, and whether the semantic cache answered.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "prompt": ["type": "string", "description": "a single user message"],
                "messages": [
                    "type": "array", "description": "the conversation: [{role: system|user|assistant, content}]",
                    "items": ["type": "object", "properties": ["role": ["type": "string"], "content": ["type": "string"]],
                              "required": ["role", "content"]],
                ],
                "system": ["type": "string", "description": "a system prompt put before the conversation"],
                "model": ["type": "string", "description": "a model id from list_models, or \"auto\" (default)"],
                "max_tokens": ["type": "integer", "minimum": 1],
                "temperature": ["type": "number", "minimum": 0, "maximum": 2],
            ],
        ],
        annotations: .init(title: "Chat with a local model", readOnlyHint: true))

    static let embed = Tool(
        name: "embed",
        description: "Sentence embeddings of `texts` with all-MiniLM-L6-v2 (384 dimensions, unit length).",
        inputSchema: [
            "type": "object",
            "properties": ["texts": ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 256]],
            "required": ["texts"],
        ],
        annotations: .init(title: "Embed texts", readOnlyHint: true, idempotentHint: true))

    static let memoryStore = Tool(
        name: "memory_store",
        description: """
            Remember `text` for later (memory_search finds it by meaning). `preservation`: "ephemeral" (about an hour), \
            "session" (about a day) or "permanent" (default, until deleted). Memories belong to your API key.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "text": ["type": "string"],
                "tags": tagsSchema,
                "preservation": ["type": "string", "enum": ["ephemeral", "session", "permanent"]],
            ],
            "required": ["text"],
        ],
        annotations: .init(title: "Store a memory", destructiveHint: false))

    static let memorySearch = Tool(
        name: "memory_search",
        description: """
            Find your memories closest in meaning to `query` (cosine similarity of MiniLM embeddings), best first. \
            `top_k` (default 5), `threshold` (minimum similarity, default 0.0), `tags` (only memories with every tag).
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "query": ["type": "string"],
                "top_k": ["type": "integer", "minimum": 1, "maximum": 1000],
                "threshold": ["type": "number", "minimum": -1, "maximum": 1],
                "tags": tagsSchema,
            ],
            "required": ["query"],
        ],
        annotations: .init(title: "Search memories", readOnlyHint: true))

    static let memoryDelete = Tool(
        name: "memory_delete",
        description: "Forget the memory with this `id` (from memory_store or memory_search).",
        inputSchema: ["type": "object", "properties": ["id": ["type": "string"]], "required": ["id"]],
        annotations: .init(title: "Delete a memory", destructiveHint: true, idempotentHint: false))

    static let listModels = Tool(
        name: "list_models",
        description: "The models this server serves (as GET /v1/models): id, state, tier, labels, context length, adapters.",
        inputSchema: ["type": "object", "properties": [:]],
        annotations: .init(title: "List models", readOnlyHint: true))

    static let cacheStats = Tool(
        name: "cache_stats",
        description: "Semantic-cache statistics (as GET /v1/cache/stats): entries, hits, misses, hit rate, threshold.",
        inputSchema: ["type": "object", "properties": [:]],
        annotations: .init(title: "Cache statistics", readOnlyHint: true))
}

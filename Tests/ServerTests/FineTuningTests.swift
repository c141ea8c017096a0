import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

// The Files and Fine-tuning APIs end to end: a real server on a real port, the real trainer on the tiny Qwen3
// fixture (see FineTuningTestSupport.swift).
extension ServerTests {
    @Suite("Files and fine-tuning jobs")
    struct FineTuningTests {
        @Test("an upload with bad lines is a 400 naming them, and nothing is stored")
        func uploadValidation() async throws {
            let folder = FineTuningTestServer.folder()
            try await FineTuningTestServer.app(folder).app.test(.live) { client in
                let bad = """
                {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}
                {"messages": [
                {"messages":[{"role":"user","content":"Hi"}]}
                {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}

                """
                let response = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                        body: FineTuningTestServer.multipart(file: bad, filename: "bad.jsonl"))
                let error = response.expectError(.badRequest, param: "file", code: "invalid_file")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("bad.jsonl:2: invalid JSON") && message.contains("bad.jsonl:3: no assistant message"), "\(message)")
                #expect(!message.contains("bad.jsonl:1:") && !message.contains("bad.jsonl:4:"), "\(message)")
                #expect(!message.contains(folder.path), "the message names the client's file, not the server's path: \(message)")

                let sharegpt = #"{"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello"}]}"#
                let other = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                     body: FineTuningTestServer.multipart(file: sharegpt))
                #expect((other.expectError(.badRequest, param: "file")["message"] as? String ?? "").contains("ShareGPT"), "\(other.text)")
                let empty = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                     body: FineTuningTestServer.multipart(file: ""))
                #expect((empty.expectError(.badRequest, param: "file")["message"] as? String ?? "").contains("no examples"), "\(empty.text)")

                // Many bad lines: the first five are named, then the count of all.
                let many = (1...8).map { _ in "not json" }.joined(separator: "\n")
                let manyResponse = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                            body: FineTuningTestServer.multipart(file: many, filename: "many.jsonl"))
                let manyMessage = manyResponse.expectError(.badRequest, param: "file", code: "invalid_file")["message"] as? String ?? ""
                #expect(manyMessage.contains("many.jsonl:5: invalid JSON") && !manyMessage.contains("many.jsonl:6:")
                        && manyMessage.hasSuffix("8 bad lines in all"), "\(manyMessage)")

                let list = try await client.get("/v1/files").json
                #expect(list["object"] as? String == "list" && (list["data"] as? [Any])?.isEmpty == true, "\(list)")
                let stored = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("files").path)
                #expect(stored.isEmpty, "\(stored)")
            }
        }

        @Test("files are uploaded, listed, read, and deleted in OpenAI's shapes; bad uploads are 400s and 413s")
        func fileLifecycle() async throws {
            let folder = FineTuningTestServer.folder()
            try await FineTuningTestServer.app(folder).app.test(.live) { client in
                let data = FineTuningTestServer.trainingData
                let created = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                       body: FineTuningTestServer.multipart(file: data))
                #expect(created.status == .ok, "\(created.text)")
                let file = created.json
                let id = file["id"] as? String ?? ""
                #expect(id.hasPrefix("file-"))
                #expect(file["object"] as? String == "file" && file["purpose"] as? String == "fine-tune")
                #expect(file["status"] as? String == "processed" && file["filename"] as? String == "train.jsonl")
                #expect(file["bytes"] as? Int == data.utf8.count)
                #expect(abs((file["created_at"] as? Int ?? 0) - Int(Date().timeIntervalSince1970)) < 60)
                #expect(Set(file.keys) == ["id", "object", "bytes", "created_at", "filename", "purpose", "status", "expires_at", "status_details"])
                let second = try await client.upload(filename: "second.jsonl")

                let list = try await client.get("/v1/files").json
                #expect((list["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [second, id], "newest first: \(list)")
                #expect(list["has_more"] as? Bool == false)
                let page = try await client.get("/v1/files?limit=1").json
                #expect((page["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [second] && page["has_more"] as? Bool == true)
                let next = try await client.get("/v1/files?limit=1&after=\(second)").json
                #expect((next["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id] && next["has_more"] as? Bool == false)
                let ascending = try await client.get("/v1/files?order=asc").json
                #expect((ascending["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id, second])
                #expect(try await client.get("/v1/files/\(id)").json["filename"] as? String == "train.jsonl")
                let content = try await client.get("/v1/files/\(id)/content")
                #expect(content.status == .ok && content.text == data)

                _ = try await client.get("/v1/files/file-nope").expectError(.notFound, param: "file_id", code: "file_not_found")
                _ = try await client.get("/v1/files?limit=0").expectError(.badRequest, param: "limit")
                let purpose = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                       body: FineTuningTestServer.multipart(file: data, purpose: "assistants"))
                _ = purpose.expectError(.badRequest, param: "purpose")
                let noPurpose = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                         body: FineTuningTestServer.multipart(file: data, purpose: nil))
                _ = noPurpose.expectError(.badRequest, param: "purpose")
                _ = try await client.post("/v1/files", json: "{}").expectError(.badRequest, code: "invalid_content_type")
                let big = String(repeating: "x", count: (1 << 20) + 1)
                let tooLarge = try await client.execute(uri: "/v1/files", method: .post, headers: FineTuningTestServer.multipartHeaders,
                                                        body: FineTuningTestServer.multipart(file: big))
                _ = tooLarge.expectError(.contentTooLarge, code: "request_too_large")

                let deleted = try await client.execute(uri: "/v1/files/\(id)", method: .delete)
                #expect(deleted.status == .ok)
                #expect(deleted.json["id"] as? String == id && deleted.json["object"] as? String == "file"
                        && deleted.json["deleted"] as? Bool == true)
                _ = try await client.get("/v1/files/\(id)").expectError(.notFound, code: "file_not_found")
                _ = try await client.execute(uri: "/v1/files/\(id)", method: .delete).expectError(.notFound, code: "file_not_found")
                let stored = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("files").path)
                #expect(stored.count == 1, "only the second file's bytes remain: \(stored)")
            }
        }

        @Test("job creation errors: unknown model or file 404, bad hyperparameters 400 naming the parameter")
        func jobErrors() async throws {
            let folder = FineTuningTestServer.folder()
            try await FineTuningTestServer.app(folder).app.test(.live) { client in
                let file = try await client.upload()
                func create(_ body: String) async throws -> TestResponse { try await client.post("/v1/fine_tuning/jobs", json: body) }
                let body = FineTuningTestServer.jobBody(file: file, maxSteps: 2)
                _ = try await create(body.replacingOccurrences(of: "\"tiny\"", with: "\"gpt-4o\""))
                    .expectError(.notFound, param: "model", code: "model_not_found")
                _ = try await create(body.replacingOccurrences(of: file, with: "file-missing"))
                    .expectError(.notFound, param: "training_file", code: "file_not_found")
                _ = try await create(FineTuningTestServer.jobBody(file: file, maxSteps: 2, extra: #","validation_file":"file-missing""#))
                    .expectError(.notFound, param: "validation_file", code: "file_not_found")
                let epochs = try await create(#"{"model":"tiny","training_file":"\#(file)","hyperparameters":{"n_epochs":0}}"#)
                _ = epochs.expectError(.badRequest, param: "hyperparameters.n_epochs", code: "invalid_hyperparameters")
                let lr = try await create(#"{"model":"tiny","training_file":"\#(file)","hyperparameters":{"learning_rate_multiplier":-1}}"#)
                _ = lr.expectError(.badRequest, param: "hyperparameters.learning_rate_multiplier")
                let word = try await create(#"{"model":"tiny","training_file":"\#(file)","hyperparameters":{"batch_size":"big"}}"#)
                _ = word.expectError(.badRequest, param: "hyperparameters.batch_size")
                let nested = try await create(#"{"model":"tiny","training_file":"\#(file)","method":{"type":"supervised","supervised":{"hyperparameters":{"batch_size":1000}}}}"#)
                _ = nested.expectError(.badRequest, param: "method.supervised.hyperparameters.batch_size")
                let dpo = try await create(#"{"model":"tiny","training_file":"\#(file)","method":{"type":"dpo"}}"#)
                _ = dpo.expectError(.badRequest, param: "method.type")
                _ = try await create(#"{"model":"tiny","training_file":"\#(file)","lora":{"rank":0}}"#)
                    .expectError(.badRequest, param: "lora.rank")
                _ = try await create(#"{"model":"tiny","training_file":"\#(file)","lora":{"targets":["q","qq"]}}"#)
                    .expectError(.badRequest, param: "lora.targets")
                _ = try await create(#"{"model":"tiny","training_file":"\#(file)","training":{"max_steps":0}}"#)
                    .expectError(.badRequest, param: "training.max_steps")
                _ = try await create(#"{"model":"tiny","training_file":"\#(file)","suffix":"a:b"}"#)
                    .expectError(.badRequest, param: "suffix")
                _ = try await create(#"{"model":"tiny"}"#).expectError(.badRequest, param: "training_file")
                _ = try await client.get("/v1/fine_tuning/jobs/ftjob-nope").expectError(.notFound, code: "fine_tuning_job_not_found")
                _ = try await client.get("/v1/fine_tuning/jobs/ftjob-nope/events").expectError(.notFound)
                _ = try await client.post("/v1/fine_tuning/jobs/ftjob-nope/cancel", json: "").expectError(.notFound)
                #expect((try await client.get("/v1/fine_tuning/jobs").json["data"] as? [Any])?.isEmpty == true)
            }
        }

        @Test("a job trains, reports events and checkpoints, and its fine_tuned_model answers chats at once")
        func jobSucceeds() async throws {
            let folder = FineTuningTestServer.folder()
            try await FineTuningTestServer.app(folder).app.test(.live) { client in
                let file = try await client.upload()
                // Validation: greetings of names the training data does not hold (the loss is measured at step 0 and at the end).
                let valid = try await client.upload(["Quinn", "Rex", "Sue", "Tom"].map { name in
                    #"{"messages":[{"role":"user","content":"Greet \#(name)."},{"role":"assistant","content":"Ahoy, \#(name)! Welcome aboard, matey."}]}"#
                }.joined(separator: "\n"), filename: "valid.jsonl")
                let created = try await client.post("/v1/fine_tuning/jobs", json: FineTuningTestServer.jobBody(
                    file: file, maxSteps: 40, saveEvery: 10, learningRateMultiplier: 50, alpha: 32, extra: #","validation_file":"\#(valid)""#))
                #expect(created.status == .ok, "\(created.text)")
                let job = created.json
                let id = job["id"] as? String ?? ""
                #expect(id.hasPrefix("ftjob-"))
                #expect(job["object"] as? String == "fine_tuning.job" && job["model"] as? String == "tiny")
                #expect(job["status"] as? String == "validating_files")
                #expect(job["training_file"] as? String == file && job["validation_file"] as? String == valid)
                #expect(job["fine_tuned_model"] is NSNull && job["finished_at"] is NSNull && job["error"] is NSNull)
                #expect(job["trained_tokens"] is NSNull && job["result_files"] as? [String] == [] && job["seed"] as? Int == 7)
                let hyper = job["hyperparameters"] as? [String: Any] ?? [:]
                #expect(hyper["n_epochs"] as? Int == 3 && hyper["batch_size"] as? Int == 2 && hyper["learning_rate_multiplier"] as? Double == 50)
                #expect(((job["method"] as? [String: Any])?["type"] as? String) == "supervised")
                #expect((job["lora"] as? [String: Any])?["targets"] as? [String] == ["q", "v"])
                #expect((job["lora"] as? [String: Any])?["alpha"] as? Double == 32)
                #expect((job["training"] as? [String: Any])?["max_steps"] as? Int == 40)
                for key in ["organization_id", "estimated_finish", "integrations", "metadata", "user_provided_suffix"] {
                    #expect(job.keys.contains(key), "missing \(key)")
                }

                let done = try await client.waitForEnd(id)
                #expect(done["status"] as? String == "succeeded", "\(done)")
                let model = "ft:tiny:pirate:\(id)"
                #expect(done["fine_tuned_model"] as? String == model)
                #expect((done["trained_tokens"] as? Int ?? 0) > 0 && (done["finished_at"] as? Int ?? 0) > 0 && done["estimated_finish"] is NSNull)
                #expect((done["training"] as? [String: Any])?["step"] as? Int == 40)

                let events = try await client.allEvents(id)
                #expect(events.allSatisfy { $0["object"] as? String == "fine_tuning.job.event" && $0["id"] as? String != nil
                    && ["info", "warn", "error"].contains($0["level"] as? String ?? "") })
                #expect(trainedSteps(events) == Array(1...40), "\(events)")
                let messages = events.compactMap { $0["message"] as? String }
                #expect(messages.first == "Created fine-tuning job: \(id)" && messages.last == "The job has successfully completed", "\(messages)")
                #expect(messages.contains("Files validated, moving job to queued state") && messages.contains("New fine-tuned model created: \(model)"))
                let step = events.first { $0["type"] as? String == "metrics" && ($0["data"] as? [String: Any])?["step"] as? Int == 2 }
                let data = step?["data"] as? [String: Any] ?? [:]
                #expect(data["train_loss"] is Double && data["tokens_per_second"] is Double && data["total_steps"] as? Int == 40, "\(data)")
                let validation = events.filter { $0["type"] as? String == "metrics" }.compactMap { $0["data"] as? [String: Any] }
                    .filter { $0["valid_loss"] != nil }
                let validLosses = validation.compactMap { $0["valid_loss"] as? Double }
                #expect(validation.map { ($0["step"] as? NSNumber)?.intValue } == [0, 40] && validLosses.count == 2, "\(validation)")
                #expect((validLosses.last ?? .infinity) < (validLosses.first ?? 0) - 1, "the model learned what it was not shown: \(validLosses)")
                let newest = try await client.get("/v1/fine_tuning/jobs/\(id)/events?limit=1").json
                #expect((newest["data"] as? [[String: Any]])?.first?["message"] as? String == "The job has successfully completed")

                let checkpoints = try await client.get("/v1/fine_tuning/jobs/\(id)/checkpoints").json
                let list = checkpoints["data"] as? [[String: Any]] ?? []
                #expect(list.map { $0["step_number"] as? Int } == [40, 30, 20], "the trainer keeps three: \(checkpoints)")
                let folders = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("fine-tuning/\(id)/checkpoints").path)
                #expect(Set(folders) == ["step-20", "step-30", "step-40"], "\(folders)")
                #expect(list.first?["object"] as? String == "fine_tuning.job.checkpoint" && list.first?["fine_tuning_job_id"] as? String == id)
                #expect(list.first?["fine_tuned_model_checkpoint"] as? String == "\(model):ckpt-step-40")
                #expect(((list.first?["metrics"] as? [String: Any])?["train_loss"]) is Double)
                #expect(((list.first?["metrics"] as? [String: Any])?["valid_loss"] as? Double) == validLosses.last)
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fine-tuning/\(id)/adapter.gguf").path))

                let results = done["result_files"] as? [String] ?? []
                #expect(results.count == 1)
                let csv = try await client.get("/v1/files/\(results.first ?? "")/content").text
                let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                #expect(csv.hasPrefix("step,train_loss,valid_loss") && rows.count == 41, "\(csv)")
                #expect(rows.last?.first == "40" && rows.last.map { $0.count > 2 && !$0[2].isEmpty } == true, "the last row has the validation loss: \(csv)")
                #expect(try await client.get("/v1/files/\(results.first ?? "")").json["purpose"] as? String == "fine-tune-results")

                let models = try await client.get("/v1/models").json["data"] as? [[String: Any]] ?? []
                let entry = models.first { $0["id"] as? String == model }
                #expect(entry?["parent"] as? String == "tiny" && entry?["rank"] as? Int == 4, "\(models)")
                let chat = try await client.post("/v1/chat/completions", json: FineTuningTestServer.chat(model: model, "Greet Ada."))
                #expect(chat.status == .ok, "\(chat.text)")
                #expect(chat.json["model"] as? String == model)
                let base = try await client.post("/v1/chat/completions", json: FineTuningTestServer.chat(model: "tiny", "Greet Ada."))
                // The random-weight fixture babbles; forty steps on 16 greetings teach it the pirate's answer.
                #expect(chat.content?.hasPrefix("Ahoy") == true, "the fine-tuned model learned the data: \(chat.content ?? "")")
                #expect(base.status == .ok && base.content?.contains("Ahoy") == false, "the base model did not: \(base.content ?? "")")

                // The /v1/finetune/ aliases answer with the same handlers; a finished job cannot be cancelled.
                #expect(try await client.get("/v1/finetune/jobs/\(id)").json["fine_tuned_model"] as? String == model)
                #expect((try await client.get("/v1/finetune/jobs").json["data"] as? [[String: Any]])?.first?["id"] as? String == id)
                _ = try await client.post("/v1/fine_tuning/jobs/\(id)/cancel", json: "").expectError(.conflict, code: "job_not_cancellable")
                // A file a finished job used can be deleted.
                #expect(try await client.execute(uri: "/v1/files/\(file)", method: .delete).status == .ok)
            }
        }

        /// Steps of the job the cancel test stops (it never gets near the end: a step of the fixture takes milliseconds).
        static let longSteps = 20000
        /// Steps of the job the restart test pauses and resumes: long enough (seconds) to be paused mid-way.
        static let resumedSteps = 400

        @Test("a queued job is cancelled at once; a running one stops within one step with a checkpoint")
        func cancel() async throws {
            let folder = FineTuningTestServer.folder()
            let (app, jobs) = try FineTuningTestServer.app(folder)
            try await app.test(.live) { client in
                let file = try await client.upload()
                let long = try await client.post("/v1/fine_tuning/jobs", json: FineTuningTestServer.jobBody(file: file, maxSteps: Self.longSteps))
                let longID = long.json["id"] as? String ?? ""
                let waiting = try await client.post("/v1/fine_tuning/jobs", json: FineTuningTestServer.jobBody(file: file, maxSteps: 2))
                let waitingID = waiting.json["id"] as? String ?? ""
                _ = try await client.waitForJob(longID) { ($0["training"] as? [String: Any])?["step"] as? Int ?? 0 >= 2 }
                let queued = try await client.waitForJob(waitingID) { $0["status"] as? String == "queued" }
                #expect(queued["status"] as? String == "queued", "the second job waits for the first: \(queued)")
                _ = try await client.execute(uri: "/v1/files/\(file)", method: .delete).expectError(.conflict, code: "file_in_use")

                let cancelledQueued = try await client.post("/v1/fine_tuning/jobs/\(waitingID)/cancel", json: "")
                #expect(cancelledQueued.status == .ok && cancelledQueued.json["status"] as? String == "cancelled", "\(cancelledQueued.text)")

                let cancelled = try await client.post("/v1/finetune/jobs/\(longID)/cancel", json: "")
                // The step the job had reached when the cancel was recorded; the trainer may finish the one it is in.
                let stepAtCancel = (cancelled.json["training"] as? [String: Any])?["step"] as? Int ?? 0
                #expect(stepAtCancel >= 2, "\(cancelled.text)")
                #expect(cancelled.json["status"] as? String == "cancelled" && (cancelled.json["finished_at"] as? Int ?? 0) > 0)
                for _ in 0..<600 where jobs.runningJob != nil { try await Task.sleep(for: .milliseconds(50)) }
                #expect(jobs.runningJob == nil, "the trainer stopped")
                let events = try await client.allEvents(longID)
                let steps = trainedSteps(events)
                #expect((steps.last ?? 0) <= stepAtCancel + 1, "stopped within one step of the cancel: \(stepAtCancel) → \(steps)")
                let stopped = events.compactMap { $0["message"] as? String }.last { $0.hasPrefix("Training stopped after step") }
                #expect(stopped == "Training stopped after step \(steps.last ?? -1) of \(Self.longSteps); the job is cancelled", "\(events)")
                let checkpoints = try await client.get("/v1/fine_tuning/jobs/\(longID)/checkpoints").json["data"] as? [[String: Any]]
                #expect(checkpoints?.first?["step_number"] as? Int == steps.last, "the stop wrote a checkpoint")
                let final = try await client.get("/v1/fine_tuning/jobs/\(longID)").json
                #expect(final["status"] as? String == "cancelled" && final["fine_tuned_model"] is NSNull)
                #expect(try await client.get("/v1/fine_tuning/jobs/\(waitingID)").json["status"] as? String == "cancelled")
                #expect(trainedSteps(try await client.allEvents(waitingID)).isEmpty, "the cancelled queued job never ran")
                _ = try await client.post("/v1/fine_tuning/jobs/\(longID)/cancel", json: "").expectError(.conflict)

                let list = try await client.get("/v1/fine_tuning/jobs?limit=1").json
                #expect((list["data"] as? [[String: Any]])?.first?["id"] as? String == waitingID && list["has_more"] as? Bool == true)
                let rest = try await client.get("/v1/fine_tuning/jobs?after=\(waitingID)").json
                #expect((rest["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [longID] && rest["has_more"] as? Bool == false)
            }
        }

        @Test("a server stopped mid-job resumes it from its checkpoint on restart; the fine-tuned model survives restarts")
        func restartResumes() async throws {
            let folder = FineTuningTestServer.folder()
            let first = try FineTuningTestServer.app(folder, database: true)
            let id = try await first.app.test(.live) { client in
                let file = try await client.upload()
                let created = try await client.post("/v1/fine_tuning/jobs", json: FineTuningTestServer.jobBody(file: file, maxSteps: Self.resumedSteps,
                                                                                                             saveEvery: 1000, suffix: nil))
                let id = created.json["id"] as? String ?? ""
                let next = try await client.post("/v1/fine_tuning/jobs", json: FineTuningTestServer.jobBody(file: file, maxSteps: 2,
                                                                                                          suffix: "next"))
                #expect(next.status == .ok, "\(next.text)")
                _ = try await client.waitForJob(id) { ($0["training"] as? [String: Any])?["step"] as? Int ?? 0 >= 2 }
                let queued = try await client.waitForJob(next.json["id"] as? String ?? "") { $0["status"] as? String == "queued" }
                #expect(queued["status"] as? String == "queued")
                return id
            }
            // The test closure returned: graceful shutdown stopped the trainer after its step, with a checkpoint.
            let stored = try #require(try first.jobs.store.job(id))
            #expect(stored.status == .running, "a job paused by shutdown stays running")
            let pausedAt = stored.step
            #expect(pausedAt >= 2 && pausedAt < Self.resumedSteps)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fine-tuning/\(id)/checkpoints/step-\(pausedAt)").path))

            #expect(try first.jobs.store.jobs(withStatus: [.queued]).count == 1, "the second job stays queued")

            let second = try FineTuningTestServer.app(folder, database: true)
            try await second.app.test(.live) { client in
                let done = try await client.waitForEnd(id)
                #expect(done["status"] as? String == "succeeded", "\(done)")
                #expect(done["fine_tuned_model"] as? String == "ft:tiny::\(id)")
                let events = try await client.allEvents(id)
                let messages = events.compactMap { $0["message"] as? String }
                #expect(messages.contains { $0.hasPrefix("The server is stopping: training paused after step \(pausedAt) of \(Self.resumedSteps)") }, "\(messages)")
                #expect(messages.contains("Fine-tuning job resumed after a restart"))
                #expect(messages.contains("Resumed from the checkpoint at step \(pausedAt) of \(Self.resumedSteps)"), "\(messages)")
                #expect(trainedSteps(events) == Array(1...Self.resumedSteps), "each step once: \(trainedSteps(events))")
                // The job that was queued runs after the resumed one.
                let list = try await client.get("/v1/fine_tuning/jobs").json["data"] as? [[String: Any]] ?? []
                let nextID = list.first?["id"] as? String ?? ""
                let next = try await client.waitForEnd(nextID)
                #expect(next["status"] as? String == "succeeded" && next["fine_tuned_model"] as? String == "ft:tiny:next:\(nextID)",
                        "\(next)")
                #expect((next["created_at"] as? Int ?? 0) >= (done["created_at"] as? Int ?? 0))
            }

            let third = try FineTuningTestServer.app(folder, database: true)
            try await third.app.test(.live) { client in
                let model = "ft:tiny::\(id)"
                let models = try await client.get("/v1/models").json["data"] as? [[String: Any]] ?? []
                #expect(models.contains { $0["id"] as? String == model }, "registered again at startup: \(models)")
                let chat = try await client.post("/v1/chat/completions", json: FineTuningTestServer.chat(model: model, "Greet Bo."))
                #expect(chat.status == .ok && chat.json["model"] as? String == model, "\(chat.text)")
                let adapters = try await client.get("/v1/adapters").json["data"] as? [[String: Any]] ?? []
                #expect(adapters.first?["served_as"] as? String == model && adapters.first?["source"] as? String == "fine-tuning")
            }
        }

        @Test("a run the trainer cannot do fails with OpenAI's error object and the trainer's one-line message")
        func jobFails() async throws {
            let folder = FineTuningTestServer.folder()
            try await FineTuningTestServer.app(folder).app.test(.live) { client in
                // Valid lines whose first answer token lies beyond 16 tokens: nothing fits max_seq_len 16.
                let long = (0..<4).map { i in
                    #"{"messages":[{"role":"system","content":"You are a very patient assistant who always answers in full sentences, number \#(i)."},{"role":"user","content":"Please say hello."},{"role":"assistant","content":"Hello."}]}"#
                }.joined(separator: "\n")
                let file = try await client.upload(long)
                let created = try await client.post("/v1/fine_tuning/jobs", json: #"{"model":"tiny","training_file":"\#(file)","training":{"max_seq_len":16,"max_steps":2}}"#)
                #expect(created.status == .ok, "\(created.text)")
                let id = created.json["id"] as? String ?? ""
                let done = try await client.waitForEnd(id)
                #expect(done["status"] as? String == "failed", "\(done)")
                let error = done["error"] as? [String: Any] ?? [:]
                #expect(error["code"] as? String == "invalid_training_file" && error["param"] as? String == "training_file", "\(error)")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("max_seq_len 16") && !message.contains("\n"), "\(message)")
                #expect(done["fine_tuned_model"] is NSNull && (done["finished_at"] as? Int ?? 0) > 0)
                let events = try await client.allEvents(id)
                #expect(events.last?["level"] as? String == "error" && events.last?["message"] as? String == "Fine-tuning job failed: \(message)",
                        "\(events)")
            }
        }

        @Test("the training section of the configuration: defaults, keys, relative paths, errors")
        func configuration() throws {
            let defaults = try ServerConfiguration.parse(yaml: "")
            #expect(defaults.training.enabled && defaults.training.threads == 1 && defaults.training.maxUploadBytes == 512 << 20)
            #expect(defaults.training.databasePath?.hasSuffix("/fine-tuning.sqlite") == true)
            let c = try ServerConfiguration.parse(yaml: "training:\n  path: \":memory:\"\n  threads: 2\n  max_upload_bytes: 1000\n  directory: /tmp/x\n")
            #expect(c.training.databasePath == nil && c.training.threads == 2 && c.training.maxUploadBytes == 1000)
            #expect(c.training.directory == "/tmp/x")
            func message(_ yaml: String) -> String {
                do { _ = try ServerConfiguration.parse(yaml: yaml); return "no error" } catch { return error.description }
            }
            let typo = message("training:\n  thread: 2\n")
            #expect(typo.contains("unknown key 'training.thread'") && typo.contains("line 2"), "\(typo)")
            let zero = message("training:\n  threads: 0\n")
            #expect(zero.contains("'training.threads'") && zero.contains("line 2"), "\(zero)")
            let folder = FineTuningTestServer.folder()
            let file = folder.appendingPathComponent("groupqwen.yaml")
            try "training:\n  path: ft.sqlite\n  directory: data\n".write(to: file, atomically: true, encoding: .utf8)
            let loaded = try ServerConfiguration.load(path: file.path)
            #expect(loaded.training.databasePath == folder.appendingPathComponent("ft.sqlite").path)
            #expect(loaded.training.directory == folder.appendingPathComponent("data").path)
        }
    }
}

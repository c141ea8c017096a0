import Engine
import Foundation
import Gateway
import Hummingbird
import Tokenizers

extension APIError {
    /// Maps any error a handler can throw to the API error the client sees. This is the only place
    /// typed errors become HTTP statuses.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as GatewayError:
            return from(error)
        case let error as AdapterRegistryError:
            return from(error)
        case let error as FineTuningError:
            return from(error)
        case let error as ExpertServiceError:
            return from(error)
        case let error as ExpertRegistryError:
            return from(error)
        case let error as EngineError:
            return from(error)
        case let error as ChatTemplateError:
            return .invalidParameter("the model's chat template rejected the conversation: \(error)", param: "messages")
        case let error as DecodingError:
            return from(error)
        case let error as HTTPError:
            if error.status == .contentTooLarge { return .bodyTooLarge(limit: 0).withMessage("the request body is too large") }
            return APIError(status: error.status, message: error.body ?? error.status.reasonPhrase,
                            type: error.status.code < 500 ? "invalid_request_error" : "server_error")
        case is CancellationError:
            return .unavailable("the request was cancelled", code: "cancelled", retryAfter: 1)
        default:
            return .internalError("internal error: \(error)")
        }
    }

    static func from(_ error: GatewayError) -> APIError {
        switch error {
        case let .unknownModel(id, available):
            return .modelNotFound(id, available: available)
        case let .loadFailed(model, reason):
            return APIError(status: .internalServerError, message: "the model '\(model)' could not be loaded: \(reason)",
                            type: "server_error", param: "model", code: "model_load_failed")
        case .insufficientMemory:
            return .unavailable(error.description, code: "insufficient_memory", retryAfter: 10)
        case .shuttingDown:
            return .unavailable(error.description, code: "shutting_down", retryAfter: 5)
        }
    }

    /// Adding an adapter: 400 naming `path` with the loader's message for a file that cannot be loaded or
    /// does not fit, 404 for an unknown base model, 409 for an id the base model already serves.
    static func from(_ error: AdapterRegistryError) -> APIError {
        switch error {
        case let .duplicate(id, model):
            return APIError(status: .conflict, message: error.description, type: "invalid_request_error", param: "id",
                            code: "adapter_exists")
                .withMessage("an adapter '\(id)' is already served on model '\(model)'; delete it first (DELETE /v1/adapters/\(model):\(id))")
        case let .unknownModel(id, available):
            return .modelNotFound(id, available: available)
        case .remoteModel:
            return .invalidParameter(error.description, param: "model")
        case let .invalidSetting(field, _):
            return .invalidParameter(error.description, param: field)
        case let .invalidAdapter(_, _, loraError):
            return .invalidParameter(loraError.description, param: "path", code: "invalid_adapter")
        case .baseUnavailable:
            return APIError(status: .internalServerError, message: error.description, type: "server_error", param: "model",
                            code: "model_load_failed")
        }
    }

    /// The Files and Fine-tuning APIs: 404 for an unknown file or job (or when fine-tuning is disabled), 409 for a
    /// file an unfinished job reads and a job that already finished, 400 naming `file` for an upload that is not
    /// fine-tuning data.
    static func from(_ error: FineTuningError) -> APIError {
        let message = error.description
        switch error {
        case .disabled:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", code: "fine_tuning_disabled")
        case let .fileNotFound(_, param):
            return APIError(status: .notFound, message: message, type: "invalid_request_error", param: param, code: "file_not_found")
        case .jobNotFound:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", param: "fine_tuning_job_id",
                            code: "fine_tuning_job_not_found")
        case .fileInUse:
            return APIError(status: .conflict, message: message, type: "invalid_request_error", param: "file_id", code: "file_in_use")
        case .jobNotCancellable:
            return APIError(status: .conflict, message: message, type: "invalid_request_error", param: "fine_tuning_job_id",
                            code: "job_not_cancellable")
        case .invalidFile:
            return .invalidParameter(message, param: "file", code: "invalid_file")
        }
    }

    /// Deploying or rolling back experts: 400 for a release that does not hold together or does not fit (naming the
    /// expert and file), 404 for an unknown base model, a missing adapter file or an unknown expert, 409 for an expert
    /// at its first version or whose old file was replaced.
    static func from(_ error: ExpertServiceError) -> APIError {
        let message = error.description
        switch error {
        case let .registry(error):
            return from(error)
        case .unknownBaseModel:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", param: "base_model", code: "model_not_found")
        case .remoteBaseModel:
            return .invalidParameter(message, param: "base_model", code: "invalid_release")
        case .baseUnavailable:
            return APIError(status: .internalServerError, message: message, type: "server_error", param: "base_model",
                            code: "model_load_failed")
        case .routerMismatch:
            return .invalidParameter(message, param: "router", code: "invalid_release")
        case .adapterNotFound:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", param: "adapter_path",
                            code: "adapter_not_found")
        case .invalidAdapter:
            return .invalidParameter(message, param: "adapter_path", code: "invalid_adapter")
        case let .fingerprintMismatch(_, version, _, _, _):
            return version == 0
                ? .invalidParameter(message, param: "adapter_fingerprint", code: "adapter_fingerprint_mismatch")
                : APIError(status: .conflict, message: message, type: "invalid_request_error", param: "adapter_path",
                           code: "adapter_changed")
        }
    }

    /// The expert registry: 400 for an invalid release, 404 when nothing is deployed or for an unknown expert, 409
    /// for an expert at its first version.
    static func from(_ error: ExpertRegistryError) -> APIError {
        let message = error.description
        switch error {
        case .invalidRelease:
            return .invalidParameter(message, param: nil, code: "invalid_release")
        case .nothingDeployed:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", code: "experts_not_deployed")
        case .unknownExpert:
            return APIError(status: .notFound, message: message, type: "invalid_request_error", param: "id", code: "expert_not_found")
        case .noPreviousVersion:
            return APIError(status: .conflict, message: message, type: "invalid_request_error", param: "id", code: "no_previous_version")
        case .storage:
            return .internalError(message)
        }
    }

    static func from(_ error: EngineError) -> APIError {
        switch error {
        case let .contextOverflow(needed, capacity):
            return .invalidParameter("this model's maximum context length is \(capacity) tokens, but the request needs \(needed)",
                                     param: "messages", code: "context_length_exceeded")
        case let .invalidArgument(message):
            return .invalidParameter(message, param: nil)
        case let .overCapacity(queued):
            return APIError(status: .tooManyRequests,
                            message: "the model is at capacity (\(queued) requests waiting); retry shortly",
                            type: "rate_limit_error", code: "rate_limit_exceeded", retryAfter: 1)
        case .shuttingDown:
            return .unavailable(error.description, code: "shutting_down", retryAfter: 5)
        case .cancelled:
            return .unavailable("the generation was cancelled", code: "cancelled", retryAfter: 1)
        default:
            return .internalError(error.description)
        }
    }

    /// Decoding failures of the request body: malformed JSON, or a parameter of the wrong type.
    static func from(_ error: DecodingError) -> APIError {
        switch error {
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .malformedJSON(detail ?? context.debugDescription)
        case let .dataCorrupted(context):
            let param = parameterPath(context.codingPath)
            return .invalidParameter("invalid value for '\(param)': \(context.debugDescription)", param: param)
        case let .keyNotFound(key, context):
            let param = parameterPath(context.codingPath + [key])
            return .invalidParameter("missing required parameter '\(param)'", param: param)
        case let .typeMismatch(type, context):
            let param = parameterPath(context.codingPath)
            return param.isEmpty
                ? .invalidParameter("the request body must be a JSON object", param: nil)
                : .invalidParameter("invalid type for '\(param)': expected \(jsonTypeName(type))", param: param)
        case let .valueNotFound(type, context):
            let param = parameterPath(context.codingPath)
            return .invalidParameter("'\(param)' must be \(jsonTypeName(type)), not null", param: param)
        @unknown default:
            return .invalidParameter("invalid request: \(error)", param: nil)
        }
    }

    /// `messages[0].content` from a coding path.
    static func parameterPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }

    func withMessage(_ message: String) -> APIError {
        var copy = self
        copy.message = message
        return copy
    }
}

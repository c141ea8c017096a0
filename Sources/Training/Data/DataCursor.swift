/// Where a run is in its data: the next micro-batch to take is batch `batchIndex` of epoch `epoch` (both
/// 0-based). Saved in checkpoints so a resumed run takes exactly the batches it would have taken.
public struct DataCursor: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    /// The 0-based epoch.
    public var epoch: Int
    /// The 0-based micro-batch within the epoch.
    public var batchIndex: Int

    /// A cursor at batch `batchIndex` of `epoch`.
    public init(epoch: Int, batchIndex: Int) {
        self.epoch = epoch
        self.batchIndex = batchIndex
    }

    /// The first batch of the first epoch.
    public static let start = DataCursor(epoch: 0, batchIndex: 0)

    public static func < (a: DataCursor, b: DataCursor) -> Bool {
        (a.epoch, a.batchIndex) < (b.epoch, b.batchIndex)
    }

    public var description: String { "epoch \(epoch) batch \(batchIndex)" }

    enum CodingKeys: String, CodingKey {
        case epoch
        case batchIndex = "batch_index"
    }
}

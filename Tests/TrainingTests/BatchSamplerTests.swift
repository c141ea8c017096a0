import Foundation
import Testing
@testable import Training

@Suite("Batch sampler")
struct BatchSamplerTests {
    @Test("SplitMix64 matches the reference generator")
    func splitMix() {
        var rng = SplitMix64(seed: 0)
        #expect([rng.next(), rng.next(), rng.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        // Bounded draws and permutations as an independent Python implementation of the same algorithms computes them.
        var seven = SplitMix64(seed: 7)
        #expect((0..<8).map { _ in seven.next(below: 10) } == [3, 0, 9, 5, 4, 2, 4, 3])
        let sampler = BatchSampler(count: 10, batchSize: 4, seed: 0)
        #expect(sampler.order(epoch: 0) == [6, 3, 4, 9, 0, 1, 8, 2, 7, 5])
        #expect(sampler.order(epoch: 1) == [4, 9, 5, 1, 8, 7, 6, 2, 0, 3])
        let other = BatchSampler(count: 10, batchSize: 4, seed: 42)
        #expect(other.order(epoch: 0) == [2, 6, 3, 4, 9, 8, 5, 7, 0, 1])
        #expect(other.order(epoch: 1) == [6, 8, 1, 0, 3, 4, 5, 9, 2, 7])
    }

    @Test("batches of B, the last one short, nothing dropped, a new order every epoch")
    func epochs() {
        let sampler = BatchSampler(count: 10, batchSize: 4, seed: 3)
        #expect(sampler.batchesPerEpoch == 3)
        var iterator = sampler.makeIterator()
        var epochs: [[[Int]]] = [[], [], []]
        for _ in 0..<9 {
            let (cursor, indices) = iterator.next()!
            epochs[cursor.epoch].append(indices)
        }
        #expect(iterator.cursor == DataCursor(epoch: 3, batchIndex: 0))
        for epoch in epochs {
            #expect(epoch.map(\.count) == [4, 4, 2])
            #expect(epoch.flatMap { $0 }.sorted() == Array(0..<10))
        }
        #expect(epochs[0] != epochs[1])
        #expect(epochs[0].flatMap { $0 } == sampler.order(epoch: 0))
        let unshuffled = BatchSampler(count: 5, batchSize: 2, seed: 3, shuffles: false)
        #expect(unshuffled.indices(at: DataCursor(epoch: 4, batchIndex: 2)) == [4])
    }

    @Test("same seed, same batches; a resumed run takes exactly the batches it would have taken", arguments: [
        DataCursor(epoch: 0, batchIndex: 1), DataCursor(epoch: 0, batchIndex: 3), DataCursor(epoch: 1, batchIndex: 0),
        DataCursor(epoch: 1, batchIndex: 3), DataCursor(epoch: 2, batchIndex: 2),
    ])
    func resume(at cursor: DataCursor) throws {
        let sampler = BatchSampler(count: 13, batchSize: 3, seed: 99)
        var straight = sampler.makeIterator()
        var all: [(cursor: DataCursor, indices: [Int])] = []
        for _ in 0..<(3 * sampler.batchesPerEpoch) { all.append(straight.next()!) }
        // The cursor survives a checkpoint as JSON.
        let saved = try JSONEncoder().encode(cursor)
        #expect(String(decoding: saved, as: UTF8.self).contains("\"batch_index\""))
        let restored = try JSONDecoder().decode(DataCursor.self, from: saved)
        var resumed = BatchSampler(count: 13, batchSize: 3, seed: 99).makeIterator(from: restored)
        let start = try #require(all.firstIndex { $0.cursor == cursor })
        for expected in all[start...] {
            let got = resumed.next()!
            #expect(got.cursor == expected.cursor)
            #expect(got.indices == expected.indices)
            #expect(sampler.indices(at: got.cursor) == expected.indices)
        }
    }
}

@Suite("Training plan")
struct TrainingPlanTests {
    @Test("micro-batches grouped per step within an epoch; the resume cursor")
    func plan() {
        let plan = TrainingPlan(batchesPerEpoch: 5, gradAccum: 2, epochs: 2)
        #expect(plan.stepsPerEpoch == 3)
        #expect(plan.totalSteps == 6)
        #expect(plan.microBatches(ofStep: 1) == [DataCursor(epoch: 0, batchIndex: 0), DataCursor(epoch: 0, batchIndex: 1)])
        #expect(plan.microBatches(ofStep: 3) == [DataCursor(epoch: 0, batchIndex: 4)])
        #expect(plan.microBatches(ofStep: 4) == [DataCursor(epoch: 1, batchIndex: 0), DataCursor(epoch: 1, batchIndex: 1)])
        #expect(plan.cursor(afterSteps: 2) == DataCursor(epoch: 0, batchIndex: 4))
        #expect(plan.cursor(afterSteps: 3) == DataCursor(epoch: 1, batchIndex: 0))
        #expect(plan.epoch(ofStep: 3) == 0)
        #expect(plan.epoch(ofStep: 4) == 1)
        #expect(plan.epochProgress(afterStep: 1) == 0.4)
        #expect(plan.epochProgress(afterStep: 3) == 1.0)
        #expect(plan.epochProgress(afterStep: 5) == 1.8)
        #expect(TrainingPlan(batchesPerEpoch: 5, gradAccum: 2, epochs: 2, maxSteps: 10).totalSteps == 10)
    }
}

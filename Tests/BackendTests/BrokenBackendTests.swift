import Backends
import Core
import Foundation
import Testing

/// A backend that breaks the contract must stop the suite with a message that names it, not
/// spin: `accessFaulting` bounds the faults an access may take without progress.
@Suite(.conformanceTimeLimit) struct BrokenBackendTests {
    @Test func aBackendWhoseAccessNeverSucceedsStopsWithItsName() async {
        let outcome = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            // EPT with the W bit posing as Accessed: aging clears write permission, and the
            // fault finds the entry present, so a write can never get through.
            let wBitAsAccessed = EntryFormat(
                name: "ept-w-as-a", hardwarePresentMask: 0b111, mappedMask: 1 << 11, accessedMask: 1 << 1,
                dirtyMask: 1 << 9, writableMask: 1 << 1, leafTemplate: 0b101 | (6 << 3) | (1 << 11),
                tableBits: 0b111 | (1 << 11), pfnShift: 12)
            let broken = BackendDescriptor.radix(name: "toy-w-as-accessed", summary: "broken on purpose") { _ in
                BackendCapabilities(
                    format: wBitAsAccessed, structure: .radix, agingLock: .none, bitmapAgingLock: LockMode.none,
                    faultLock: .read, clearMethod: .atomicAnd, fast: true)
            }
            let mmu = broken.make(MMUConfiguration(gfnCount: 64))
            let thread = mmu.makeThread(role: .vcpu)
            thread.enterReadSide()
            mmu.accessFaulting(3, write: true, thread: thread)
            _ = mmu.ageWindow(GFNRange(start: 0, count: 64), thread: thread)
            mmu.accessFaulting(3, write: true, thread: thread)
            thread.exitReadSide()
        }
        let standardError = String(decoding: outcome?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("backend toy-w-as-accessed: write access to gfn 3 still fails after"))
    }

    @Test func aCorrectBackendNeedsOneFaultPerMissingPageAndKnowsItsName() throws {
        let mmu = try #require(Backends.named("x86-tdp")).make(MMUConfiguration(gfnCount: 64))
        let thread = mmu.makeThread(role: .vcpu)
        defer { thread.retire() }
        thread.enterReadSide()
        #expect(mmu.accessFaulting(3, write: true, thread: thread) == 1)
        #expect(mmu.accessFaulting(3, write: true, thread: thread) == 0)
        thread.exitReadSide()
        #expect(mmu.name == "x86-tdp")
    }
}

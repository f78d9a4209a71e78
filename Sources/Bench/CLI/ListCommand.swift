import ArgumentParser
import Backends
import Core

/// `agingbench list`: every registered backend with its capabilities, as a table, and a legend
/// saying what each column's values mean.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registered backends and what each one does.")

    func run() throws {
        print(Self.table())
        print()
        print(Self.legend)
    }

    static func table() -> String {
        let header = ["backend", "format", "tables", "aging lock", "bitmap", "fault lock", "clear", "fast", "A/D off", "known race", "summary"]
        let rows = Backends.all.map { descriptor -> [String] in
            let capabilities = descriptor.capabilities
            return [
                descriptor.name, capabilities.format.name, capabilities.structure.rawValue,
                capabilities.agingLock.rawValue,
                capabilities.bitmapAgingLock.map { "yes (\($0.rawValue))" } ?? "no",
                capabilities.faultLock.rawValue, capabilities.clearMethod.rawValue,
                capabilities.fast ? "yes" : "no", descriptor.supportsAccessTracking ? "option" : "-",
                descriptor.knownRace == nil ? "-" : "yes", descriptor.summary,
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// What the columns mean; docs/ADDING_A_BACKEND.md has the same choices with their Swift spellings.
    static let legend = """
        Legend:
          format      entry format: ept (R 0, W 1, X 2, A 8, D 9), x86-legacy (P 0, W 1, A 5, D 6),
                      arm64-s2 (Valid 0, S2AP 6-7, AF 10), riscv-g (V 0, R 1, W 2, X 3, A 6, D 7)
          tables      radix: a 4-level tree walked by gfn; rmap: shadow pages found through an rmap
          aging lock  what a one-page clear_young/test_young takes: none (lockless, RCU only),
                      read / write (mmu_lock), per-rmap (a lock bit in each rmap head, no mmu_lock)
          bitmap      yes (lock): the 64-page bitmap is honoured, its hooks taking that lock;
                      no: the bitmap is reported unreliable and aging asks one page per call
          fault lock  what a vCPU fault takes: read or write (mmu_lock)
          clear       how Accessed is cleared: atomic-and; cmpxchg-retry (retried on a changed entry);
                      cmpxchg-ignore (a failure is ignored); store-unless-volatile (v3: a plain store
                      when the hardware cannot change the entry; racy without mmu_lock)
          fast        whether a young result carries MMU_NOTIFIER_YOUNG_FAST (cheap to ask; look around)
          A/D off     option: --ad-off runs it with A/D bits off (access tracking)
          known race  yes: models a kernel bug on purpose; the conformance suite must catch it
        """
}

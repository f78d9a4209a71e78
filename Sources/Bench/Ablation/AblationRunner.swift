import Core
import Results

/// Runs an ablation's grid: every configuration × driver mode × vCPU count × repetition, aging
/// on, populate only (the selftest's benchmark mode: the vCPUs fault their memory in while the
/// aging thread runs passes back to back).
///
/// Contract: cells run repetition-major, then vCPU count, then configuration, driver innermost,
/// so machine drift spreads over every configuration alike; each cell is a fresh MMU of the base
/// structure's engine and a fresh host side. One record per cell, in that order.
struct AblationRunner {
    let architecture: AblationArchitecture
    let memoryPerVCPU: ByteSize
    let vcpuCounts: [Int]
    let drivers: [DriverMode]
    let repetitions: Int
    let settings: WorkloadSettings
    let context: RunContext
    let quiet: Bool

    var cellCount: Int { architecture.configurations.count * drivers.count * vcpuCounts.count * repetitions }

    func run() throws(InputError) -> [RunRecord] {
        var records: [RunRecord] = []
        var index = 0
        for repetition in 0..<repetitions {
            for vcpus in vcpuCounts {
                for configuration in architecture.configurations {
                    for driver in drivers {
                        if !quiet {
                            StandardError.write("\r\u{1B}[K[ablation \(index + 1)/\(cellCount)] \(configuration.label) \(driver) vcpus:\(vcpus) rep \(repetition)")
                        }
                        let cell = SweepCell(
                            backend: configuration.base, memoryPerVCPU: memoryPerVCPU, vcpus: vcpus,
                            aging: true, repetition: repetition, index: index)
                        records.append(try runCell(cell, configuration: configuration, driver: driver))
                        index += 1
                    }
                }
            }
        }
        if !quiet { StandardError.write("\r\u{1B}[K") }
        return records
    }

    private func runCell(_ cell: SweepCell, configuration: AblationConfiguration, driver: DriverMode) throws(InputError) -> RunRecord {
        guard let capabilities = configuration.capabilities() else {
            throw InputError("ablation base backend '\(configuration.base)' is not registered")
        }
        let guestPages = cell.memoryPerVCPU.bytes / GuestMemory.pageBytes * UInt64(cell.vcpus)
        var cellSettings = settings
        cellSettings.driver = driver
        let mmu: any SecondaryMMU = switch capabilities.structure {
        case .radix: RadixMMU(capabilities: capabilities, gfnCount: guestPages)
        case .rmap: ShadowMMU(capabilities: capabilities, gfnCount: guestPages)
        }
        var record = try CellRunner.run(cell, mmu: mmu, backend: configuration.base, settings: cellSettings, context: context)
        record.variant = configuration.variant
        return record
    }
}

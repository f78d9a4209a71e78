public enum AgingBenchMain { public static func run() { print("agingbench") } }

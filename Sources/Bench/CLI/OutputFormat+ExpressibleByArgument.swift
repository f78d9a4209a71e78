import ArgumentParser
import Results

// `run --format`: the raw values are the spellings, so a bad value is refused by the parser with the list
// of valid ones.
extension OutputFormat: ExpressibleByArgument {}

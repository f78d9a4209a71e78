import ArgumentParser

// `run --requests`: the raw values (kv, chase) are the spellings, so a bad value is refused by the
// parser with the list of valid ones, on one line, exit 2, as `--pattern` is.
extension RequestWorkload: ExpressibleByArgument {}

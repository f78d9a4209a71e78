import ArgumentParser

// `run --placement`: the raw values are the spellings, so a bad value is refused by the parser with the
// list of valid ones.
extension Placement: ExpressibleByArgument {}

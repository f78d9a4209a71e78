import ArgumentParser

// `run --pattern`: the raw values are the spellings, so a bad value is refused by the parser with the list
// of valid ones.
extension AccessPattern: ExpressibleByArgument {}

import Bench
AgingBenchMain.run()

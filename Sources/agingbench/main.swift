import Bench

AgingBenchMain.main()

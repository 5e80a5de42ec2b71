from cxstats.cli.main import main

main()

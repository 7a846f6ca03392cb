import sys

if sys.argv[1:2] == ["grading"]:
    from bench.grading import main as grading

    sys.exit(grading(sys.argv[2:]))

if sys.argv[1:2] == ["import"]:
    from bench.anki_import import main as import_main

    sys.exit(import_main(sys.argv[2:]))

if sys.argv[1:2] == ["csv"]:
    from bench.csv_import import main as csv_main

    sys.exit(csv_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())

import sys

if sys.argv[1:2] == ["grading"]:
    from bench.grading import main as grading

    sys.exit(grading(sys.argv[2:]))

from bench.run import main

sys.exit(main())

import sys

if sys.argv[1:2] == ["import"]:
    from bench.anki_import import main as import_main

    sys.exit(import_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())

"""`python -m benchmarks` (or `make bench`): run every workload and print the table."""
import sys

from benchmarks.runner import main

sys.exit(main())

"""`python -m autograd ...`: the command line (see autograd/cli)."""
import sys

from autograd.cli import main

sys.exit(main())

import signal
import sys

from .cli import main

# Like other Unix tools, stop quietly when the reader of our output goes away (`| head -1`).
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())

import sys

from asn_dash.cli import main

sys.exit(main())

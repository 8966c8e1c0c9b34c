"""``python -m boligmonitor.site``: see :mod:`boligmonitor.site.project`."""

import sys

from boligmonitor.site.project import main

sys.exit(main())

#!/usr/bin/env python3
"""`make package [STAGE=dev]`: the Lambda zip from a clean app-only venv, bytecode precompiled (deploy/packaging.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.packaging import main

if __name__ == "__main__":
    sys.exit(main())

import os
import sys

# the recipe is imported as the package `training.las` from the repository root
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

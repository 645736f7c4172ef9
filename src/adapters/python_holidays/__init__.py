"""Public holidays from the ``holidays`` package (python-holidays)."""

"""Training runs: the SQLite run store, trainer processes, and the service the routes call."""

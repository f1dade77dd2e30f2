"""ConvLens web app: a JSON API and pages over the engine."""

"""Tiny real checkpoints, built and converted in a fixture (tests/support/tiny_models.py)."""

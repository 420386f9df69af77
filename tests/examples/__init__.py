"""examples tests."""

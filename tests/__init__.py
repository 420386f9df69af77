"""destgen's test suite: unit, golden, examples and end-to-end tests."""

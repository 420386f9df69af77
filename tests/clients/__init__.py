"""Tests that drive the emulator with clients nobody here wrote (make test-clients)."""

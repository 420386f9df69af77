"""Benchmarks that print ratios against the alternative a user would pick."""

"""Tests of the built distributions and of the documentation as shipped."""

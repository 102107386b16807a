"""Benchmarks: scripts that print figures. Timing targets live here, never in tests."""

"""What an operator sees: readiness, and the gauges of shared state behind /metrics."""

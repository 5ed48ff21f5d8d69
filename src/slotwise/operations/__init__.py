"""What an operator sees and runs: readiness, the gauges behind /metrics, key rotation."""

"""The harness behind the integration and fault tests: the app's own processes
(`processes`) and private service instances to kill, freeze or restart (`faults`)."""

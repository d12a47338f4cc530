"""Benchmark harness for the portal: bulk data load, gunicorn, wrk. Not part of the product."""

"""Pieces every JSON API of the portal shares: problem bodies, a bounded JSON parser, Idempotency-Key replay."""

"""Ingestors: Kafka → validated, masked, exactly-once Parquet landing zone (+ dead-letter store)."""

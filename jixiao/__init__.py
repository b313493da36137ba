"""jixiao (绩效) — a streaming performance-data platform for government agencies."""

"""One generator module per source system; each turns one simulated month into events."""

"""The platform's shared runtime: settings and paths, the Kafka clients, the local broker.

The bottom layer: it imports nothing else of jixiao, and every stage may import it.
"""

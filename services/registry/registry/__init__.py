"""The registry service: the system of record for firms and their facts."""

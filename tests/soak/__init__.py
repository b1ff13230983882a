"""The soak run (`make soak`, `python -m tests.soak --minutes N`); not part of `make test`."""

"""Pure Python: policies, the firm facts they read, entitlements, states, budget. No I/O."""

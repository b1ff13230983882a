"""Pure domain of the ladder service: facts, rulebook, rules, standing, targets."""

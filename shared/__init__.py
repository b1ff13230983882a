"""What crosses service lines: event contracts and the few helpers every service uses."""

"""统一社会信用代码 (unified social credit code) check per GB 32100-2015."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    """The 18th character that makes a valid code of these 17."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"characters not allowed by GB 32100-2015: {''.join(bad)} (no I, O, S, V, Z, lower case)"
    if not code[2:8].isdigit():
        return "characters 3-8 (administrative division code) must be digits"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, GB 32100-2015 gives {expected!r}"
    return None

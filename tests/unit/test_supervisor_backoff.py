"""The supervisor's backoff and how it names an exit."""

from __future__ import annotations

import pytest

from tracker.supervisor import backoff_s, describe_exit

pytestmark = pytest.mark.unit


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    assert [backoff_s(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff_s(3, base_s=0.5, cap_s=60) == 2


def test_an_exit_is_named_by_its_code_or_its_signal() -> None:
    assert describe_exit(3) == "code 3"
    assert describe_exit(-9) == "signal SIGKILL"
    assert describe_exit(-15) == "signal SIGTERM"

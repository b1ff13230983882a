"""Fixtures: real local receivers on 127.0.0.1 with random ports (HTTP and aiosmtpd)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiosmtpd.smtp import SMTP

from tests.integration.notifier_channels.receivers import HttpReceiver, MailSink, SmtpServer


@pytest.fixture
async def receiver() -> AsyncIterator[HttpReceiver]:
    server = HttpReceiver()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    sink = MailSink()
    loop = asyncio.get_running_loop()
    # Served from the test's own loop; smtplib runs in a worker thread, so no deadlock.
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="mail.test", authenticator=sink.authenticate,
                     auth_require_tls=False),
        "127.0.0.1", 0,
    )
    yield SmtpServer(server.sockets[0].getsockname()[1], sink)
    server.close()
    await server.wait_closed()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # trust_env=False: a proxy from the environment must not carry loopback traffic away.
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client

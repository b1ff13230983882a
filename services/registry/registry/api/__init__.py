"""The registry's HTTP API: thin routes that parse, call one handler or read model, answer."""

from registry.api import round, routes

routers = (routes.router, round.router)

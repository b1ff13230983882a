"""The notifier's HTTP routes: officers and settings, then the inbox and the delivery queue."""

from notifier.api import alerts, officers

routers = (officers.router, alerts.router)

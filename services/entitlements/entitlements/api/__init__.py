"""The entitlements service's HTTP routes: policies, entitlements, payments, budget."""

from entitlements.api import budget, entitlements, policies

routers = (policies.router, entitlements.router, budget.router)

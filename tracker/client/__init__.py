"""A typed client for the four APIs, over their OpenAPI documents.

One async class per service (`Registry`, `Ladder`, `Notifier`, `Entitlements`): base URL, bearer token and
correlation id; methods named for the use, taking the services' request models and
answering their response models; any error answer raises `ApiProblem` with the
problem+json body. Lists are `Pages`: `async for item in registry.firms(q=...).items()`.
`tests/unit/test_client_documents.py` checks every operation against the documents.
"""

from tracker.client.base import ApiProblem, Operation, Recorded, ServiceClient
from tracker.client.entitlements import Entitlements
from tracker.client.ladder import Ladder
from tracker.client.notifier import Notifier
from tracker.client.paging import Pages
from tracker.client.registry import Registry

__all__ = ["ApiProblem", "Entitlements", "Ladder", "Notifier", "Operation", "Pages", "Recorded", "Registry",
           "ServiceClient"]

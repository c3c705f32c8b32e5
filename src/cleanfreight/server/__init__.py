"""The bureau's platform (``cleanfreight serve``): gate systems push passages, enterprises upload exports,
the bureau watches every enterprise's clean-transport share.

Build the ASGI application with :func:`create_app` from a :class:`ServerParams`, or run it with
:func:`serve`. Accounts are managed with :func:`add_user` (``cleanfreight users add``). The HTTP API
is described in ``docs/api.md`` and at ``/openapi.json``.
"""

from __future__ import annotations

from cleanfreight.server.accounts import ROLES, User
from cleanfreight.server.app import create_app
from cleanfreight.server.settings import ServerParams, load_settings
from cleanfreight.server.tools import add_user, serve

#: deprecated alias (the name before the one suffix for parameter objects, ``Params``)
ServerSettings = ServerParams

__all__ = ["ROLES", "ServerParams", "ServerSettings", "User", "add_user", "create_app", "load_settings", "serve"]

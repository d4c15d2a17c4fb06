"""Typed application state: every ``web.AppKey`` the handlers read."""

from aiohttp import web

from tallybot.core.services import Services

SERVICES = web.AppKey("services", Services)
# How long a client may take to send a request's body, in seconds.
READ_TIMEOUT = web.AppKey("read_timeout_seconds", float)

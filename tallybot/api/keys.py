"""Typed application state: every ``web.AppKey`` the handlers read."""

from aiohttp import web

from tallybot.core.services import Services

SERVICES = web.AppKey("services", Services)

"""Development-only tooling: demo data, the processing-time history generator and the GC Notify stand-in.

Installed when DEBUG is on, or on a staging demo with PORTAL_DEMO_ENABLED=true; never imported by the portal.
"""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo (development only)"

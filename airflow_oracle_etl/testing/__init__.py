"""Stand-ins for the services the provider talks to, for tests and the local demo.

Installed with the ``testing`` extra. Nothing outside this package imports it.
"""

"""roen: Romanian→English translation and summarisation service.

Importing this package (or any module in it) reads no environment, loads no model and
creates no folder: `service.http.app.create_app` and `service.cli.main` do that work.
"""

__version__ = "0.1.0"

"""The web form driven in headless Chromium."""

"""Documents in, the same documents out in English (a PDF's as Word): formats.py lists them."""

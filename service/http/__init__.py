"""The HTTP room: routes, schemas, the web form. Never imports torch or transformers."""

"""Terms the caller decides: glossaries matched across Romanian inflection, entries kept as
written, and spans no model should touch — each guaranteed in the English by construction."""

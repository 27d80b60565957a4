"""The pipeline room: the façade every caller uses (HTTP, form, CLI, eval), model load state.

No torch, transformers or ctranslate2 here: models are reached through the runtime's
`Backend` contract and the summariser's `SummaryEngine` Protocol.
"""

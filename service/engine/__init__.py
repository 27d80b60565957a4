"""Model code: loading, backends, the translator and summarisers. Never imports Litestar."""

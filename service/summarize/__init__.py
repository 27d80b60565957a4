"""The summarise room: extractive (sentence embeddings) and abstractive (BART-style) summaries."""

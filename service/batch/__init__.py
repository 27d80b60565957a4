"""`roen batch`: a corpus in, its translations and digests out — streamed, resumable."""

"""Documents in, the same documents out in English: .txt, .html, .md, .docx, .srt."""

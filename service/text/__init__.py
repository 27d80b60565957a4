"""Text handling with no model: normalisation, sentence segmentation, document layout."""

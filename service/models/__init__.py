"""The models room: where weights come from (resolve, download), conversion, OPUS-MT import."""

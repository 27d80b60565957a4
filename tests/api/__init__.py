"""The app in-process (Litestar's TestClient) over fake engines."""
